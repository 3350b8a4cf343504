import { CONTROL_CHARS } from "./text.js";

/**
 * Text from a server or a build is data, never terminal control (the contract's rule).
 * Three ways to pass it on:
 * - "bytes": as it is, byte for byte (only `logs --raw` into a pipe or a file);
 * - "strip": no escape code or control character at all, tab excepted;
 * - "sgr": the same, but SGR colour codes (`ESC [ … m`) are kept, for a colour terminal.
 * In both cleaning modes a carriage return keeps what was written after the last one, as
 * the terminal would have shown it, so `secret\rFAKE OK` cannot hide "secret" from a log
 * reader while showing something else on screen.
 */
export type CleanMode = "bytes" | "strip" | "sgr";

// One escape sequence: CSI (ESC [ params intermediates final), OSC / DCS / SOS / PM / APC
// strings up to BEL or ST (or the end of the text), or any other two-byte ESC sequence.
const ESCAPE = /\u001b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[ -/]*[0-~]?)/g;
const SGR = /^\u001b\[[0-9;:]*m$/;
// C0 controls but tab and newline, DEL, C1 controls: the characters stripControl removes.
const SPECIAL = new RegExp(CONTROL_CHARS.source);

/** Text made safe for a terminal in the given mode (newlines are left to the caller's layout). */
export function cleanText(text: string, mode: CleanMode): string {
  if (mode === "bytes" || !SPECIAL.test(text)) return text;
  return text
    .split("\n")
    .map((segment) => cleanSegment(segment, mode))
    .join("\n");
}

function cleanSegment(segment: string, mode: CleanMode): string {
  let text = segment;
  if (text.includes("\r")) {
    text = text.replace(/\r+$/, "");
    text = text.slice(text.lastIndexOf("\r") + 1);
  }
  // Between escape sequences, control characters go; of the sequences, only SGR may stay.
  let out = "";
  let last = 0;
  for (const match of text.matchAll(ESCAPE)) {
    out += text.slice(last, match.index).replace(CONTROL_CHARS, "");
    if (mode === "sgr" && SGR.test(match[0])) out += match[0];
    last = match.index + match[0].length;
  }
  return out + text.slice(last).replace(CONTROL_CHARS, "");
}
