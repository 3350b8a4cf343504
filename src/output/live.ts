import type { IOStreams } from "./io.js";
import { truncate } from "./text.js";

/**
 * A block redrawn in place on stderr: a spinner line and a few lines under it (the latest
 * log lines of `builds watch`). Built on the IOStreams spinner, so it is cleaned up on any
 * exit like every other spinner, and is a no-op where animation is off.
 */
export interface LiveArea {
  render(head: string, lines: readonly string[]): void;
  stop(): void;
}

export async function startLiveArea(io: IOStreams, head: string): Promise<LiveArea> {
  const spinner = await io.spinner(head);
  return {
    render(next, lines) {
      // Lines wider than the terminal would wrap and break the redraw: cut them.
      const width = Math.max(20, (io.stderr.columns ?? 80) - 4);
      spinner.update([next, ...lines.map((l) => "  " + truncate(printable(l), width))].join("\n"));
    },
    stop: () => spinner.stop(),
  };
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001B\[[0-9;?]*[ -/]*[@-~]|\u001B\][^\u0007]*(?:\u0007|\u001B\\)/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F]/g;

/** A build's output may carry its own escape codes and carriage returns; they must not move our cursor. */
export function printable(line: string): string {
  return line.replace(ANSI, "").replace(/\t/g, "  ").replace(CONTROL, "");
}
