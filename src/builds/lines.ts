/**
 * Splits a byte stream into lines without ever holding more than the current partial line.
 * Lines are cut on bytes (0x0A) and decoded whole, so a UTF-8 character split across two
 * chunks is never mangled.
 */
export class LineSplitter {
  private pending: Buffer[] = [];

  /** The complete (newline-terminated) lines this chunk finishes, without their line ending. */
  push(chunk: Uint8Array): string[] {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const lines: string[] = [];
    let start = 0;
    let nl: number;
    while ((nl = buf.indexOf(0x0a, start)) !== -1) {
      const piece = buf.subarray(start, nl);
      const bytes = this.pending.length ? Buffer.concat([...this.pending, piece]) : piece;
      this.pending = [];
      lines.push(decodeLine(bytes));
      start = nl + 1;
    }
    if (start < buf.length) this.pending.push(buf.subarray(start));
    return lines;
  }

  /** The unterminated rest, if any (the last line of a log that does not end in a newline). */
  end(): string | undefined {
    if (this.pending.length === 0) return undefined;
    const rest = decodeLine(Buffer.concat(this.pending));
    this.pending = [];
    return rest;
  }
}

function decodeLine(bytes: Buffer): string {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
  return bytes.toString("utf8", 0, end);
}
