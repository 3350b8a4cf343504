import { once } from "node:events";
import type { IOStreams } from "../output/io.js";
import { renderLogLine } from "../output/log-format.js";
import type { LineSink } from "./follow.js";

/** Log lines to stdout, pausing the reader while stdout is full so memory stays flat. */
export function logPrinter(io: IOStreams, raw: boolean, signal: AbortSignal): LineSink {
  return (line) => {
    if (io.write(renderLogLine(line, { raw, color: io.out }) + "\n")) return;
    return once(io.stdout, "drain", { signal }).then(() => undefined);
  };
}
