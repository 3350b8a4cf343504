import type { Build } from "../api/types.js";
import type { IOStreams } from "../output/io.js";
import { cleanText } from "../output/terminal-safe.js";
import { oneLine } from "../output/text.js";

/** The default of --failed-lines: how much of a failed build's output is shown. */
export const FAILED_LINES = 20;

/** A line of build output made safe for a terminal, a CI log or a Markdown file: no control at all. */
export function safeLine(line: string): string {
  return cleanText(line.replace(/\n/g, " "), "strip");
}

/**
 * The reason a build failed, as lines under one heading: its error and the last lines of
 * its own output, or, when it printed nothing, that it printed nothing.
 */
export function failureExcerpt(build: Build, lastLines: string[]): string[] {
  const short = build.id.slice(0, 8);
  const error = oneLine(build.error);
  const head = `build ${short} ${oneLine(build.status)}${error ? `: ${error}` : ""}`;
  if (lastLines.length === 0) return [`${head}; it printed no output`];
  const n = lastLines.length;
  return [`${head}; the last ${n === 1 ? "line" : `${n} lines`} of its output:`, ...lastLines.map((l) => `  ${safeLine(l)}`)];
}

/** The excerpt on stderr, its heading dimmed on a colour terminal. */
export function printExcerpt(io: IOStreams, lines: string[]): void {
  const [head, ...rest] = lines;
  io.note(io.err.bold(head!));
  for (const l of rest) io.note(l);
}
