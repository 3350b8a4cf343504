/** Receives each complete line as a slice of bytes: bytes[start, end), without its line ending. */
export type OnLineBytes = (bytes: Buffer, start: number, end: number) => void;

/** A consumer that can take many lines in one call, faster than one call per line. */
export interface BulkLines {
  /**
   * Takes every complete line of bytes[start, end): renders it, or hands it to onLine as the
   * splitter would. Returns where the unterminated rest begins (end when there is none).
   */
  take(bytes: Buffer, start: number, end: number, onLine: OnLineBytes): number;
  /** How many lines take() has rendered itself (not through onLine), in all. */
  readonly taken: number;
}

/**
 * Splits a byte stream into lines without decoding it or holding more than the current
 * partial line. Lines are cut on bytes (0x0A), so a UTF-8 character split across two
 * chunks is never mangled; a CR before the newline is left out.
 */
export class LineSplitter {
  private pending: Buffer[] = [];

  /**
   * Calls onLine for each line this chunk completes; keeps the unterminated rest. With
   * `bulk`, the lines after a carried-over one go to it, all at once.
   */
  push(chunk: Uint8Array, onLine: OnLineBytes, bulk?: BulkLines): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    let nl = buf.indexOf(0x0a);
    if (nl !== -1 && this.pending.length > 0) {
      this.pending.push(buf.subarray(0, nl));
      emit(Buffer.concat(this.pending), 0, undefined, onLine);
      this.pending = [];
      start = nl + 1;
      nl = buf.indexOf(0x0a, start);
    }
    if (bulk && nl !== -1) {
      start = bulk.take(buf, start, buf.length, onLine);
      nl = buf.indexOf(0x0a, start);
    }
    while (nl !== -1) {
      emit(buf, start, nl, onLine);
      start = nl + 1;
      nl = buf.indexOf(0x0a, start);
    }
    // A copy: the caller's chunk may be reused once this returns.
    if (start < buf.length) this.pending.push(Buffer.from(buf.subarray(start)));
  }

  /** The unterminated rest, if any (the last line of a log that does not end in a newline). */
  end(onLine: OnLineBytes): boolean {
    if (this.pending.length === 0) return false;
    const rest = Buffer.concat(this.pending);
    this.pending = [];
    emit(rest, 0, undefined, onLine);
    return true;
  }
}

function emit(buf: Buffer, start: number, nl: number | undefined, onLine: OnLineBytes): void {
  onLine(buf, start, lineEnd(buf, start, nl ?? buf.length));
}

/** Where the line bytes[start, nl) ends without its line ending: a CR before the newline is left out. */
export function lineEnd(bytes: Uint8Array, start: number, nl: number): number {
  return nl > start && bytes[nl - 1] === 0x0d ? nl - 1 : nl;
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
