import { once } from "node:events";
import { SilentExit } from "../errors.js";
import type { IOStreams } from "../output/io.js";
import { renderLogLine } from "../output/log-format.js";
import type { LineSink } from "./follow.js";

/**
 * Log lines to stdout, pausing the reader while stdout is full so memory stays flat. When
 * the reader goes away (`valar builds logs | head`), there is nobody left to print for: the
 * command ends quietly with 0 instead of reporting EPIPE.
 */
export function logPrinter(io: IOStreams, raw: boolean, signal: AbortSignal): LineSink {
  let broken = false;
  // Without a listener, a failed asynchronous write would crash the process.
  io.stdout.on("error", () => {
    broken = true;
  });
  const closed = () => new SilentExit(0);
  return (line) => {
    if (broken) throw closed();
    if (io.write(renderLogLine(line, { raw, color: io.out }) + "\n")) return;
    return once(io.stdout, "drain", { signal }).then(
      () => undefined,
      (err: unknown) => {
        throw broken || (err as { code?: string }).code === "EPIPE" ? closed() : err;
      },
    );
  };
}
