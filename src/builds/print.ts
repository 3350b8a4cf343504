import { SilentExit } from "../errors.js";
import type { IOStreams } from "../output/io.js";
import { ByteBatch } from "../output/byte-batch.js";
import { LogRenderer } from "../output/log-render.js";
import type { CleanMode } from "../output/terminal-safe.js";
import type { LineSink } from "./follow.js";

/** How build text may reach stdout: byte for byte only with --raw into a pipe or a file. */
export function logCleanMode(io: IOStreams, raw: boolean): CleanMode {
  if (raw && !io.stdoutIsTTY) return "bytes";
  return io.out.level > 0 ? "sgr" : "strip";
}

/**
 * Log lines to stdout, rendered into one buffer per network chunk and written in one piece,
 * pausing the reader while stdout is full so memory stays flat. When the reader goes away
 * (`valar builds logs | head`), there is nobody left to print for: the command ends quietly
 * with 0 instead of reporting EPIPE.
 */
export function logPrinter(io: IOStreams, raw: boolean, signal: AbortSignal): LineSink {
  let broken = false;
  // Without a listener, a failed asynchronous write would crash the process.
  io.stdout.on("error", () => {
    broken = true;
  });
  const closed = () => new SilentExit(0);
  const renderer = new LogRenderer({ raw, color: io.out, clean: logCleanMode(io, raw), fast: !io.stdoutIsTTY });
  const batch = new ByteBatch();
  return {
    line: (b, s, e) => renderer.line(b, s, e, batch),
    flush: () => {
      if (broken) throw closed();
      const wait = batch.flush(io.stdout, signal);
      return wait?.catch((err: unknown) => {
        throw broken || (err as { code?: string }).code === "EPIPE" ? closed() : err;
      });
    },
  };
}
