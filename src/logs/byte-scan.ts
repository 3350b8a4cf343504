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

/** What scanJsonText found in a range: not a plain JSON string value, plain ASCII, or plain with DEL or bytes beyond ASCII. */
export const NOT_PLAIN = -1;
export const PLAIN_ASCII = 0;
const PLAIN_HIGH = 1;

/**
 * Whether bytes[start, end) holds no byte below 0x20, no `"` and no `\` — such a range is a
 * JSON string's value as it is, with nothing to decode — and whether it holds DEL or a byte
 * beyond ASCII (then the caller checks the UTF-8 and what cleaning would change).
 */
export function scanJsonText(bytes: Uint8Array, start: number, end: number): number {
  const v = viewOf(bytes);
  let high = 0;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const w = v.getInt32(i, true);
    if ((hasControl(w) | hasByte(w, 0x22222222) | hasByte(w, 0x5c5c5c5c)) !== 0) return NOT_PLAIN;
    high |= w & HIGHS;
    high |= hasByte(w, 0x7f7f7f7f);
  }
  for (; i < end; i++) {
    const c = bytes[i]!;
    if (c < 0x20 || c === 0x22 || c === 0x5c) return NOT_PLAIN;
    if (c >= 0x7f) high = 1;
  }
  return high === 0 ? PLAIN_ASCII : PLAIN_HIGH;
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
