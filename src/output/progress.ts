import type { IOStreams } from "./io.js";

export interface ProgressBar {
  /** Report the bytes done so far (redraws at most every REDRAW_MS, and at 100%). */
  update(done: number): void;
  /** Erase the bar, leaving the line clean; optionally print a final line. */
  stop(finalLine?: string): void;
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** 1536 → "1.5 KiB", 136314880 → "130 MiB": base 1024, and named so (the contract's units). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${bytes} B`;
  const text = value.toFixed(value < 10 ? 2 : 1).replace(/\.?0+$/, "");
  return `${text} ${UNITS[unit]}`;
}

/**
 * "57.1 MiB / 90.0 MiB": both sides of a progress figure in the total's unit with one
 * decimal each, so the figure reads at a glance and its width does not jump.
 */
export function formatByteProgress(done: number, total: number): string {
  let unit = 0;
  while (total >= 1024 ** (unit + 1) && unit < UNITS.length - 1) unit++;
  if (unit === 0) return `${done} B / ${total} B`;
  const scale = 1024 ** unit;
  return `${(done / scale).toFixed(1)} ${UNITS[unit]} / ${(total / scale).toFixed(1)} ${UNITS[unit]}`;
}

const REDRAW_MS = 100;
const CLEAR_LINE = "\r\u001B[2K";

/** The bar's text for one moment, fitted to `columns`. */
export function renderProgress(label: string, done: number, total: number, columns: number): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const counts = formatByteProgress(done, total);
  const fixed = `${label}  ${percent}  ${counts}`;
  const width = Math.min(30, columns - fixed.length - 4);
  if (width < 5) return fixed.slice(0, Math.max(0, columns - 1));
  const filled = Math.round(fraction * width);
  return `${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${percent}  ${counts}`;
}

/**
 * A one-line byte progress bar on stderr, redrawn in place. Only on an animated terminal:
 * elsewhere (CI logs, pipes) it draws nothing at all.
 */
export function createProgressBar(io: IOStreams, label: string, total: number, now: () => number = Date.now): ProgressBar {
  if (!io.canAnimate) {
    return { update() {}, stop: (finalLine) => finalLine && io.note(finalLine) };
  }
  let lastDraw = -Infinity;
  let drawn = false;
  let stopped = false;
  const draw = (done: number) => {
    const columns = io.stderr.columns || 80;
    io.stderr.write(CLEAR_LINE + io.err.cyan(renderProgress(label, done, total, columns)));
    drawn = true;
  };
  return {
    update(done) {
      if (stopped) return;
      const t = now();
      if (t - lastDraw < REDRAW_MS && done < total) return;
      lastDraw = t;
      draw(done);
    },
    stop(finalLine) {
      if (stopped) return;
      stopped = true;
      if (drawn) io.stderr.write(CLEAR_LINE);
      if (finalLine) io.note(finalLine);
    },
  };
}
