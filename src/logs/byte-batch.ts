import { once } from "node:events";
import type { Writable } from "node:stream";
import { copyBytes } from "./byte-scan.js";

/**
 * Output gathered in one buffer and written in large pieces: one write per network chunk
 * instead of one per log line. Never holds more than what one flush brings in, and a flush
 * waits while the stream is full (backpressure reaches the network reader).
 */
export class ByteBatch {
  private buf: Buffer;
  private view: DataView;
  private len = 0;

  constructor(initialSize = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialSize);
    this.view = viewOfBuffer(this.buf);
  }

  get length(): number {
    return this.len;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
    this.view = viewOfBuffer(next);
  }

  bytes(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.reserve(n);
    copyBytes(src, start, end, this.buf, this.view, this.len);
    this.len += n;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  text(s: string): void {
    this.reserve(s.length * 3);
    this.len += this.buf.write(s, this.len, "utf8");
  }

  /**
   * Writes what is gathered. Resolves at once when the stream took it, else when it drains
   * (or rejects when the signal aborts or the stream fails while full).
   */
  flush(stream: Writable, signal?: AbortSignal): void | Promise<void> {
    if (this.len === 0) return;
    const out = this.buf.subarray(0, this.len);
    this.len = 0;
    const more = stream.write(out);
    // Written through at once to a file descriptor (a file, /dev/null, a pipe with room):
    // the buffer is ours again. Else the stream holds it until it is sent, or has handed it
    // on by reference (a PassThrough reports nothing pending while its reader keeps the
    // very bytes), so the next lines need a new one.
    if (stream.writableLength > 0 || !writesToDescriptor(stream)) {
      this.buf = Buffer.allocUnsafe(this.buf.length);
      this.view = viewOfBuffer(this.buf);
    }
    if (more) return;
    return once(stream, "drain", { signal }).then(() => undefined);
  }
}

function writesToDescriptor(stream: Writable): boolean {
  return typeof (stream as Writable & { fd?: unknown }).fd === "number";
}

function viewOfBuffer(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.length);
}
