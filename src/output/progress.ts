import type { IOStreams } from "./io.js";
import { startSpinner } from "./spinner.js";

export interface ProgressBar {
  /** Report the bytes done so far (redraws at most every REDRAW_MS, and at 100%). */
  update(done: number): void;
  /** Erase the bar, leaving the line clean; optionally print a final line. */
  stop(finalLine?: string): void;
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** The largest unit the size reaches (base 1024) and the size in it. */
function scaled(bytes: number): { value: number; unit: number } {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return { value, unit };
}

/**
 * 50000 → "50,000". Not toLocaleString: its first call loads ICU's locale data, ~18 ms
 * here, a twentieth of the whole submit of 50,000 files.
 */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ",");
}

/** 1536 → "1.5 KiB", 136314880 → "130 MiB": base 1024, and named so (the contract's units). */
export function formatBytes(bytes: number): string {
  const { value, unit } = scaled(bytes);
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

/**
 * A figure that grows on its own (a speed, a count of bytes packed): one decimal always
 * ("1.0 MiB", "57.1 MiB"), so it keeps its width as it grows.
 */
export function formatProgressBytes(bytes: number): string {
  const { value, unit } = scaled(bytes);
  return unit === 0 ? `${Math.round(bytes)} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

const REDRAW_MS = 100;
const CLEAR_LINE = "\r\u001B[2K";

/** Speed and time left need this much of the transfer behind them to mean anything. */
const RATE_AFTER_MS = 300;

/**
 * The bar's text for one moment, fitted to `columns`; with the time spent so far, the
 * speed and the time left (`57.1 MiB / 90.0 MiB · 31.0 MiB/s · 1s left`).
 */
export function renderProgress(label: string, done: number, total: number, columns: number, elapsedMs?: number): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  let counts = formatByteProgress(done, total);
  if (elapsedMs !== undefined && elapsedMs >= RATE_AFTER_MS && done > 0) {
    const perSecond = (done / elapsedMs) * 1000;
    counts += ` · ${formatProgressBytes(perSecond)}/s`;
    if (done < total) counts += ` · ${formatSecondsLeft((total - done) / perSecond)} left`;
  }
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
  const started = now();
  const draw = (done: number) => {
    const columns = io.stderr.columns || 80;
    io.stderr.write(CLEAR_LINE + io.err.cyan(renderProgress(label, done, total, columns, now() - started)));
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

/** "1s", "42s", "2m 5s": rounded up, so the last second reads "1s left", never "0s". */
function formatSecondsLeft(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

export interface PackingLine {
  /** Counts so far; cheap to call for every file (redrawn at most every REDRAW_MS). */
  update(files: number, bytes: number): void;
  /** Ends the line; `summary` is what was packed (`50,000 files, 16.2 MiB → 1.2 MiB`). */
  stop(summary?: string): void;
}

/**
 * What packing is doing, from its first moment. On an animated terminal a spinner line
 * counting files and bytes as they are walked (`packing 12,345 files · 4.1 MiB`); elsewhere
 * one line when packing starts and one when it ends, so a CI log shows where time went.
 */
export function startPackingLine(io: IOStreams, what: string, now: () => number = Date.now): PackingLine {
  if (!io.canAnimate) {
    io.note(`packing ${what}`);
    return { update() {}, stop: (summary) => summary && io.note(`packed ${summary}`) };
  }
  const spinner = startSpinner(io, `packing ${what}`);
  let lastDraw = -Infinity;
  return {
    update(files, bytes) {
      const t = now();
      if (t - lastDraw < REDRAW_MS) return;
      lastDraw = t;
      spinner.update(`packing ${formatCount(files)} ${files === 1 ? "file" : "files"} · ${formatProgressBytes(bytes)}`);
    },
    stop(summary) {
      spinner.stop(summary && `${io.err.green("✓")} packed ${summary}`);
    },
  };
}
