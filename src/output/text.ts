/**
 * Display width of plain text, counted in code points. Escape codes are never passed in:
 * tables measure plain cells and colour them afterwards.
 */
export function displayWidth(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * What server or file text may not carry to a terminal: C0 and C1 control characters except
 * tab and newline (which callers lay out themselves), and the bidirectional controls
 * (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), which reorder what is shown so a
 * name or a log line can read as something it is not. The log's byte path asks cleanText
 * about each character it has not seen yet (src/logs/needs-cleaning.ts), so it holds the same set.
 */
export const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from the server without control characters: an error message must not be able to
 * move the cursor or recolour the terminal (escape-sequence injection).
 */
export function stripControl(text: string): string {
  return text.replace(/\r\n?/g, "\n").replace(CONTROL_CHARS, "");
}

/**
 * A local name (a file name) shown whole on one line: control and bidi characters are
 * written as escapes (`\n`, `\u202e`) instead of being dropped, so what is shown still
 * names the file and cannot split a line or reorder it.
 */
export function escapeControl(text: string): string {
  const escaped = text.replace(CONTROL_CHARS, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
  return escaped.replace(/\n/g, "\\n");
}

/** One line: an API error message may span lines; a table cell may not. */
export function oneLine(text: string): string {
  return stripControl(text.replace(/\s+/g, " ")).trim();
}

/** At most `max` characters, ending in "…" when something was cut off. */
export function truncate(text: string, max: number): string {
  if (max <= 0) return "";
  const chars = [...text];
  if (chars.length <= max) return text;
  return (
    chars
      .slice(0, max - 1)
      .join("")
      .trimEnd() + "…"
  );
}

/** A message squeezed into one line of at most `max` characters. */
export function shorten(text: string, max: number): string {
  return truncate(oneLine(text), max);
}
