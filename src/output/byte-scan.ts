/**
 * Four bytes at a time: tests and copies over byte ranges for the log fast path, which
 * looks at every byte of a log. A JavaScript loop pays the same per step whether it moves
 * one byte or four; a DataView reads four at any offset. Each test is exact; the caller looks
 * closer, byte by byte, only on an answer that ordinary log text almost never gives.
 */

const ONES = 0x01010101;
const HIGHS = 0x80808080 | 0;

let viewed: Uint8Array | undefined;
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

/**
 * A DataView of exactly `bytes`, made once per array and reused line after line (the lines
 * of a network chunk are all in one). Keyed on the array itself: its `buffer` getter costs
 * more than the compares it would save.
 */
export function viewOf(bytes: Uint8Array): DataView<ArrayBufferLike> {
  if (bytes !== viewed) {
    viewed = bytes;
    view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return view;
}

/** Non-zero when a byte of the word is below 0x20 (exact: the "has less than n" trick, n ≤ 128). */
function hasControl(w: number): number {
  return (w - 0x20202020) & ~w & HIGHS;
}

/** Non-zero when a byte of the word equals the byte repeated in `pattern`. */
function hasByte(w: number, pattern: number): number {
  const x = w ^ pattern;
  return (x - ONES) & ~x & HIGHS;
}

function plainByte(c: number, strict: boolean): boolean {
  return c >= 0x20 && c !== 0x22 && c !== 0x5c && !(strict && (c === 0x7f || c === 0xc2));
}

/**
 * Whether bytes[start, end) holds no byte below 0x20, no `"` and no `\` — and, when
 * `strict`, no DEL and no 0xC2 (the lead byte of the C1 controls in UTF-8). Such a range is
 * a JSON string's value as it is, with nothing to decode or to clean.
 */
export function isPlainJsonText(bytes: Uint8Array, start: number, end: number, strict: boolean): boolean {
  const v = viewOf(bytes);
  let i = start;
  for (; i + 4 <= end; i += 4) if (!plainWord(v.getInt32(i, true), strict)) return false;
  for (; i < end; i++) if (!plainByte(bytes[i]!, strict)) return false;
  return true;
}

/**
 * isPlainJsonText and copyBytes in one pass: each word is tested, then written to dst at
 * `at`. False, with dst beyond `at` left undefined, when a byte is not plain.
 */
export function copyPlainJsonText(src: Uint8Array, start: number, end: number, dst: Uint8Array, dstView: DataView, at: number, strict: boolean): boolean {
  const v = viewOf(src);
  let i = start;
  for (; i + 4 <= end; i += 4, at += 4) {
    const w = v.getInt32(i, true);
    if (!plainWord(w, strict)) return false;
    dstView.setInt32(at, w, true);
  }
  for (; i < end; i++) {
    const c = src[i]!;
    if (!plainByte(c, strict)) return false;
    dst[at++] = c;
  }
  return true;
}

/** A word of four plain bytes (see isPlainJsonText). */
function plainWord(w: number, strict: boolean): boolean {
  let bad = hasControl(w) | hasByte(w, 0x22222222) | hasByte(w, 0x5c5c5c5c);
  if (strict) bad |= hasByte(w, 0x7f7f7f7f) | hasByte(w, 0xc2c2c2c2 | 0);
  return bad === 0;
}

/** A fixed string as words to compare: [offset, word, …], the last word overlapping the one before. */
export type Literal = Int32Array;

export function literal(text: string): Literal {
  const b = Buffer.from(text, "latin1");
  if (b.length < 4) throw new Error("a literal is at least four bytes");
  const words: number[] = [];
  for (let k = 0; k + 4 <= b.length; k += 4) words.push(k, b.readInt32LE(k));
  if (b.length % 4 !== 0) words.push(b.length - 4, b.readInt32LE(b.length - 4));
  return Int32Array.from(words);
}

/** The literal's length in bytes. */
export function literalLength(lit: Literal): number {
  return lit[lit.length - 2]! + 4;
}

/** Whether bytes[at, at + literalLength(lit)) is the literal; the caller keeps that range in bounds. */
export function matchesLiteral(bytes: Uint8Array, at: number, lit: Literal): boolean {
  const v = viewOf(bytes);
  for (let k = 0; k < lit.length; k += 2) if (v.getInt32(at + lit[k]!, true) !== lit[k + 1]) return false;
  return true;
}

/**
 * Copies src[start, end) to dst at `at`: four bytes a step for short ranges, the native copy
 * for long ones (its call costs more than a short loop).
 */
export function copyBytes(src: Uint8Array, start: number, end: number, dst: Uint8Array, dstView: DataView, at: number): void {
  const n = end - start;
  if (n >= 256) {
    dst.set(src.subarray(start, end), at);
    return;
  }
  const v = viewOf(src);
  let i = start;
  for (; i + 4 <= end; i += 4, at += 4) dstView.setInt32(at, v.getInt32(i, true), true);
  for (; i < end; i++) dst[at++] = src[i]!;
}
