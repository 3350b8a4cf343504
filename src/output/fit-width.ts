/**
 * Lines redrawn in place (a spinner and the lines under it) must never be wider than the
 * terminal: a line that wraps takes two rows, and the redraw, which clears one row per
 * line, would leave the extra row behind.
 */

// SGR colour codes are the only escape codes in our own live lines (terminal-safe.ts strips the rest).
const SGR = /\u001b\[[0-9;]*m/y;
const UUID = /\b([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/** How many columns `line` takes, colour codes not counted. */
export function visibleWidth(line: string): number {
  let n = 0;
  for (let i = 0; i < line.length;) {
    SGR.lastIndex = i;
    const m = SGR.exec(line);
    if (m) {
      i += m[0].length;
      continue;
    }
    const cp = line.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
    n++;
  }
  return n;
}

/**
 * `line` in at most `width` columns: build IDs shortened to their first 8 characters first
 * (still a prefix every command takes), then cut with "…"; colours are closed after a cut.
 */
export function fitLine(line: string, width: number): string {
  if (visibleWidth(line) <= width) return line;
  const short = line.replace(UUID, "$1");
  if (visibleWidth(short) <= width) return short;
  let out = "";
  let n = 0;
  let coloured = false;
  for (let i = 0; i < short.length;) {
    SGR.lastIndex = i;
    const m = SGR.exec(short);
    if (m) {
      out += m[0];
      coloured = m[0] !== "\u001b[0m" && m[0] !== "\u001b[39m" && m[0] !== "\u001b[m";
      i += m[0].length;
      continue;
    }
    if (n === width - 1) break;
    const ch = String.fromCodePoint(short.codePointAt(i)!);
    out += ch;
    i += ch.length;
    n++;
  }
  return out + "…" + (coloured ? "\u001b[0m" : "");
}
