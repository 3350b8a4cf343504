/**
 * The longest log line held whole: 16 times what Valar's own Go client reads (64 KiB). A
 * longer line is cut (rendered modes) or streamed through in pieces (`--raw` into a pipe or
 * a file), so no input can make the CLI hold more than this of one line.
 */
export const MAX_LINE_BYTES = 1024 * 1024;

/**
 * Receives each complete line as a slice of bytes: bytes[start, end), without its line
 * ending. `long`, for a line longer than MAX_LINE_BYTES, is its whole length in bytes; the
 * slice is then its first part, cut on a character boundary — or, when its pieces were
 * streamed (LineSplitter's onPiece), what came after the last piece (often nothing).
 */
export type OnLineBytes = (bytes: Buffer, start: number, end: number, long?: number) => void;

const CR = 0x0d;
const NEWLINE = 0x0a;
const CR_BYTE = Buffer.of(CR);
const EMPTY = Buffer.alloc(0);

/**
 * Splits a byte stream into lines without decoding it or holding more than the current
 * partial line (at most MAX_LINE_BYTES of it). Lines are cut on bytes (0x0A), so a UTF-8
 * character split across two chunks is never mangled; a CR before the newline is left out.
 */
export class LineSplitter {
  private head: Buffer[] = [];
  private headBytes = 0;
  /** Bytes of the current unterminated line so far, -1 when it is not yet too long. */
  private longBytes = -1;
  /** Streaming a long line: a CR at the end of a piece, held until the next byte says whether it ends the line. */
  private heldCR = false;
  /** The last byte of the current line so far: a CR there is the line ending's. */
  private last = 0;

  /** `onPiece`: a line longer than MAX_LINE_BYTES is handed on in pieces as it arrives, instead of cut. */
  constructor(private readonly onPiece?: (bytes: Buffer, start: number, end: number) => void) {}

  /** Calls onLine for each line this chunk completes; keeps the unterminated rest. */
  push(chunk: Uint8Array, onLine: OnLineBytes): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    let nl = buf.indexOf(NEWLINE);
    while (nl !== -1) {
      if (this.carrying() || nl - start > MAX_LINE_BYTES) {
        this.extend(buf, start, nl);
        this.finish(onLine);
      } else {
        onLine(buf, start, lineEnd(buf, start, nl));
      }
      start = nl + 1;
      nl = buf.indexOf(NEWLINE, start);
    }
    if (start < buf.length) this.extend(buf, start, buf.length);
  }

  /** The unterminated rest, if any (the last line of a log that does not end in a newline). */
  end(onLine: OnLineBytes): boolean {
    if (!this.carrying()) return false;
    this.finish(onLine);
    return true;
  }

  private carrying(): boolean {
    return this.headBytes > 0 || this.longBytes >= 0 || this.heldCR;
  }

  /** bytes[start, end) belong to the current line: held (copied: the chunk may be reused), streamed or counted. */
  private extend(buf: Buffer, start: number, end: number): void {
    if (start === end) return;
    this.last = buf[end - 1]!;
    if (this.longBytes < 0) {
      if (this.headBytes + end - start <= MAX_LINE_BYTES) {
        this.head.push(Buffer.from(buf.subarray(start, end)));
        this.headBytes += end - start;
        return;
      }
      this.longBytes = this.headBytes;
      if (this.onPiece) {
        for (const part of this.head) this.stream(part, 0, part.length);
        this.head = [];
        this.headBytes = 0;
      } else {
        const room = MAX_LINE_BYTES - this.headBytes;
        this.head.push(Buffer.from(buf.subarray(start, start + room)));
        this.headBytes += room;
      }
    }
    this.longBytes += end - start;
    if (this.onPiece) this.stream(buf, start, end);
  }

  private stream(buf: Buffer, start: number, end: number): void {
    if (this.heldCR) this.onPiece!(CR_BYTE, 0, 1);
    this.heldCR = buf[end - 1] === CR;
    if (this.heldCR) end--;
    if (end > start) this.onPiece!(buf, start, end);
  }

  private finish(onLine: OnLineBytes): void {
    const head = this.head.length === 1 ? this.head[0]! : Buffer.concat(this.head);
    const long = this.longBytes;
    this.head = [];
    this.headBytes = 0;
    this.longBytes = -1;
    if (long < 0) {
      onLine(head, 0, lineEnd(head, 0, head.length));
    } else if (this.onPiece) {
      // A held CR is the line ending's: left out, as for any line.
      onLine(EMPTY, 0, 0, this.heldCR ? long - 1 : long);
    } else {
      onLine(head, 0, characterBoundary(head, head.length), this.last === CR ? long - 1 : long);
    }
    this.heldCR = false;
  }
}

/** Where the line bytes[start, nl) ends without its line ending: a CR before the newline is left out. */
function lineEnd(bytes: Uint8Array, start: number, nl: number): number {
  return nl > start && bytes[nl - 1] === CR ? nl - 1 : nl;
}

/** `end`, or before it the start of a UTF-8 character that `end` would split. */
function characterBoundary(b: Uint8Array, end: number): number {
  let k = end - 1;
  while (k > end - 4 && k > 0 && (b[k]! & 0xc0) === 0x80) k--;
  const lead = b[k]!;
  const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return k + size > end ? k : end;
}

/** The lines of a text as LineSplitter would give them, decoded: for tests and small texts. */
export function splitLines(chunks: Iterable<Uint8Array>): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter();
  const collect: OnLineBytes = (b, s, e) => void lines.push(b.toString("utf8", s, e));
  for (const chunk of chunks) splitter.push(chunk, collect);
  splitter.end(collect);
  return lines;
}
