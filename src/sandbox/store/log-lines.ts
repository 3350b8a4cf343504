import type { LogEntry } from "../../api/types.js";

/** One log line (a JSON entry plus its newline) may not exceed this: Valar's Go client reads lines with a 64 KiB buffer. */
export const MAX_LOG_LINE_BYTES = 64 * 1024;

/**
 * The JSON lines (each ending in "\n") of one entry: one line, or, when the entry would
 * be longer than MAX_LOG_LINE_BYTES, its content split over several entries so each line
 * fits — counted in bytes of the encoded line, escapes included.
 */
export function logEntryLines(entry: LogEntry): string[] {
  const line = JSON.stringify(entry) + "\n";
  // A UTF-16 unit never takes more than 3 bytes in UTF-8: most lines skip the byte count.
  if (line.length * 3 <= MAX_LOG_LINE_BYTES || Buffer.byteLength(line) <= MAX_LOG_LINE_BYTES) return [line];
  const budget = MAX_LOG_LINE_BYTES - Buffer.byteLength(JSON.stringify({ ...entry, content: "" }) + "\n");
  return splitByEncodedSize(entry.content, budget).map((content) => JSON.stringify({ ...entry, content }) + "\n");
}

function splitByEncodedSize(text: string, budget: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  let used = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.codePointAt(i)!;
    const units = code > 0xffff ? 2 : 1;
    const cost = encodedSize(code);
    if (used + cost > budget) {
      pieces.push(text.slice(start, i));
      start = i;
      used = 0;
    }
    used += cost;
    i += units;
  }
  pieces.push(text.slice(start));
  return pieces;
}

/** Bytes a code point takes inside a JSON string in UTF-8, as JSON.stringify writes it. */
function encodedSize(code: number): number {
  if (code === 0x22 || code === 0x5c) return 2; // \" and \\
  if (code < 0x20) return [0x08, 0x09, 0x0a, 0x0c, 0x0d].includes(code) ? 2 : 6;
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  if (code >= 0xd800 && code <= 0xdfff) return 6; // a lone surrogate becomes \udxxx
  return code > 0xffff ? 4 : 3;
}
