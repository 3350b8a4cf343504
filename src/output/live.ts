import type { IOStreams } from "./io.js";
import { startSpinner } from "./spinner.js";
import { cleanText } from "./terminal-safe.js";

/**
 * A block redrawn in place on stderr: a spinner line and a few lines under it (the latest
 * log lines of `builds watch`). Built on the shared spinner, so it is cleaned up on any
 * exit like every other spinner, and is a no-op where animation is off.
 */
export interface LiveArea {
  render(head: string, lines: readonly string[]): void;
  /** `keep`: the last block drawn stays on the screen (without the spinner) instead of going. */
  stop(keep?: boolean): void;
}

export function startLiveArea(io: IOStreams, head: string): LiveArea {
  const spinner = startSpinner(io, head);
  let last: string | undefined;
  return {
    render(next, lines) {
      // The spinner fits every line to the terminal's width at each redraw.
      last = [next, ...lines.map((l) => "  " + printable(l))].join("\n");
      spinner.update(last);
    },
    stop: (keep) => spinner.stop(keep ? last : undefined),
  };
}

/** A build's output may carry its own escape codes and carriage returns; they must not move our cursor. */
export function printable(line: string): string {
  return cleanText(line, "strip").replace(/\t/g, "  ");
}
