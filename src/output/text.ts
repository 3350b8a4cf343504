/**
 * Display width of plain text, counted in code points. Escape codes are never passed in:
 * tables measure plain cells and colour them afterwards.
 */
export function displayWidth(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

// C0 and C1 control characters except tab and newline (which callers lay out themselves).
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Text from the server without control characters: an error message must not be able to
 * move the cursor or recolour the terminal (escape-sequence injection).
 */
export function stripControl(text: string): string {
  return text.replace(/\r\n?/g, "\n").replace(CONTROL_CHARS, "");
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
  return chars.slice(0, max - 1).join("").trimEnd() + "…";
}

/** A message squeezed into one line of at most `max` characters. */
export function shorten(text: string, max: number): string {
  return truncate(oneLine(text), max);
}
