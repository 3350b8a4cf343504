import { cleanText } from "../output/terminal-safe.js";

// What cleanText does to each character on its own, asked of cleanText itself and kept:
// the byte path follows whatever the output layer's definition is (controls, bidi
// overrides, …) without a copy of it. 0 unknown, 1 kept, 2 changed. Astral characters
// (emoji) are asked each time: no control lies beyond the BMP today, and a table of them
// would cost more than it saves.
const BMP = new Uint8Array(0x10000);
const KEPT = 1;
const CHANGED = 2;

function changed(cp: number): boolean {
  if (cp > 0xffff) {
    const ch = String.fromCodePoint(cp);
    return cleanText(ch, "strip") !== ch;
  }
  let known = BMP[cp]!;
  if (known === 0) {
    const ch = String.fromCharCode(cp);
    known = BMP[cp] = cleanText(ch, "strip") === ch ? KEPT : CHANGED;
  }
  return known === CHANGED;
}

/**
 * Whether bytes[start, end) cannot go to a terminal as they are: not valid UTF-8 (the
 * general path shows U+FFFD for a bad byte), or a character cleanText would remove. A false
 * answer lets the log fast path copy the bytes as they are in a cleaning mode.
 */
export function needsCleaning(b: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const c = b[i]!;
    if (c < 0x80) {
      if ((c < 0x20 || c === 0x7f) && changed(c)) return true;
      i++;
      continue;
    }
    let size: number;
    let cp: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) {
      size = 2;
      cp = c & 0x1f;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      size = 3;
      cp = c & 0x0f;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      size = 4;
      cp = c & 0x07;
      min = 0x10000;
    } else {
      return true;
    }
    if (i + size > end) return true;
    for (let k = 1; k < size; k++) {
      const cont = b[i + k]!;
      if ((cont & 0xc0) !== 0x80) return true;
      cp = (cp << 6) | (cont & 0x3f);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return true;
    if (changed(cp)) return true;
    i += size;
  }
  return false;
}
