/**
 * Display width of plain text, counted in code points. Escape codes are never passed in:
 * tables measure plain cells and colour them after padding.
 */
export function displayWidth(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** One line: an API error message may span lines; a table cell may not. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
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
