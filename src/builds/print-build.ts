import { SilentExit } from "../errors.js";
import type { IOStreams } from "../output/io.js";
import { ByteBatch } from "../logs/byte-batch.js";
import { CiSections, type CiKind } from "../output/ci.js";
import { LogRenderer } from "../logs/render.js";
import { cutLineText, decodeLogLine } from "../logs/format.js";
import type { LogEntry } from "../api/types.js";
import type { CleanMode } from "../output/terminal-safe.js";
import type { LineSink } from "./follow.js";
import { isSelecting, LogSelector, TailBuffer, type LogSelection } from "./log-select.js";

/** How a log is shown: rendered (default), --raw content or --json entries, and which lines. */
export interface LogView {
  raw?: boolean;
  json?: boolean;
  /** With json: entries as `log` events among a waiting command's NDJSON events. */
  events?: boolean;
  selection?: LogSelection;
  /** The CI service whose log viewer rendered logs are decorated for (ciKind(env)). */
  ci?: CiKind;
}

/** A sink that prints; finish() ends the log (a --tail's lines, an open CI section). */
export interface LogPrinter extends LineSink {
  finish(): void | Promise<void>;
}

/** How build text may reach stdout: byte for byte only with --raw into a pipe or a file. */
function logCleanMode(io: IOStreams, raw: boolean): CleanMode {
  if (raw && !io.stdoutIsTTY) return "bytes";
  return io.out.level > 0 ? "sgr" : "strip";
}

/**
 * Log lines to stdout, rendered into one buffer per network chunk and written in one piece,
 * pausing the reader while stdout is full so memory stays flat. With a selection each line
 * is decoded and checked first (--tail keeps N lines, never the log). When the reader goes
 * away (`valar builds logs | head`), there is nobody left to print for: the command ends
 * quietly with 0 instead of reporting EPIPE.
 */
export function logPrinter(io: IOStreams, view: LogView, signal: AbortSignal): LogPrinter {
  let broken = false;
  // Without a listener, a failed asynchronous write would crash the process.
  io.stdout.on("error", () => {
    broken = true;
  });
  const closed = () => new SilentExit(0);
  const raw = view.raw ?? false;
  // --raw and --json are data: never decorated for a CI log viewer.
  const ci = raw || view.json ? undefined : view.ci;
  const clean = logCleanMode(io, raw);
  const fast = !io.stdoutIsTTY;
  const renderer = new LogRenderer({
    raw,
    json: view.json,
    logEvents: view.events,
    color: io.out,
    clean,
    fast,
    sections: ci ? new CiSections(ci) : undefined,
    github: ci === "github",
  });
  const batch = new ByteBatch();
  const flush = () => {
    if (broken) throw closed();
    const wait = batch.flush(io.stdout, signal);
    return wait?.catch((err: unknown) => {
      throw broken || (err as { code?: string }).code === "EPIPE" ? closed() : err;
    });
  };
  const sel = view.selection;
  const selector = isSelecting(sel) ? new LogSelector(sel) : undefined;
  // A selected line is parsed once: for the selector, then for the renderer.
  const tail = sel?.tail !== undefined ? new TailBuffer<{ text: string; entry: LogEntry | undefined }>(sel.tail) : undefined;
  const line: LineSink["line"] = !selector
    ? (b, s, e, long) => renderer.line(b, s, e, batch, long)
    : (b, s, e, long) => {
        // A long line is cut here, even with --raw: --tail must not hold it whole.
        const { text, entry } = long === undefined ? decodeLogLine(b, s, e) : { text: cutLineText(b, s, e, long), entry: undefined };
        if (!selector.accepts(entry)) return;
        if (tail) tail.push({ text, entry });
        else renderer.parsed(text, entry, batch);
      };
  return {
    line,
    flush,
    // Byte for byte means whole: a line too long to hold streams through.
    piece: clean === "bytes" && !selector ? (b, s, e) => renderer.piece(b, s, e, batch) : undefined,
    finish: () => {
      for (const { text, entry } of tail?.drain() ?? []) renderer.parsed(text, entry, batch);
      renderer.finish(batch);
      return flush();
    },
  };
}
