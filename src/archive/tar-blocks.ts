import { Header } from "tar/header";
import { Pax } from "tar/pax";

/** What a header says of an entry. */
export interface BlockHeader {
  path: string;
  type: "File" | "SymbolicLink";
  /** Bytes of content that follow (0 for a link). */
  size: number;
  mode: number;
  mtime: Date;
  linkpath?: string;
}

const BLOCK = 512;
const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

/**
 * A tar stream written straight into large buffers: each header is encoded by node-tar's
 * `Header` (and `Pax`, for what a header cannot hold) in place, and file contents are read
 * into the same buffer right after it, so packing 50,000 small files allocates no buffer,
 * stream or callback per file. A full buffer goes to `sink`, which owns it from then on.
 */
export class TarBlocks {
  private buf: Buffer;
  private at = 0;
  /** One header, its fields set anew for each entry: building one per entry cost ~2× as much. */
  private readonly header = new Header({ uid: 0, gid: 0 });
  /** Buffers the sink has released, to be written again. */
  private readonly spare: Buffer[] = [];

  constructor(
    private readonly batchBytes: number,
    private readonly sink: (chunk: Buffer, release: () => void) => void,
  ) {
    if (batchBytes % BLOCK !== 0) throw new Error("batchBytes must be a whole number of blocks");
    this.buf = Buffer.allocUnsafe(batchBytes);
  }

  /** Writes an entry's header block, after a PAX header when a field does not fit in it. */
  writeHeader(h: BlockHeader): void {
    this.room();
    const header = this.header;
    header.path = h.path;
    header.type = h.type;
    header.size = h.size;
    header.mode = h.mode;
    header.mtime = h.mtime;
    header.linkpath = h.linkpath;
    // The buffer is reused: encode() leaves the fields it has no value for as they are.
    this.buf.fill(0, this.at, this.at + BLOCK);
    if (header.encode(this.buf, this.at)) {
      // A long or non-ASCII name or link target, or a size past 8 GiB: the PAX header that
      // says it goes first, so the header block is written again after it.
      this.copy(new Pax({ path: h.path, linkpath: h.linkpath, size: h.size }).encode());
      this.room();
      this.buf.fill(0, this.at, this.at + BLOCK);
      header.encode(this.buf, this.at);
    }
    this.at += BLOCK;
  }

  /**
   * Where the next bytes of an entry's content go: at most `max` bytes from `offset` of
   * `buffer`. Call `advance` with how many were written there.
   */
  space(max: number): { buffer: Buffer; offset: number; length: number } {
    this.room();
    return { buffer: this.buf, offset: this.at, length: Math.min(max, this.batchBytes - this.at) };
  }

  advance(bytes: number): void {
    this.at += bytes;
  }

  /** Ends an entry of `size` bytes of content: zeros up to the next block. */
  pad(size: number): void {
    const rest = size % BLOCK;
    if (rest === 0) return;
    // The content's last block is whole within this buffer: buffers are whole blocks.
    this.buf.fill(0, this.at, this.at + BLOCK - rest);
    this.at += BLOCK - rest;
  }

  /** The two zero blocks that end an archive; everything goes to the sink. */
  finish(): void {
    this.copy(END_OF_ARCHIVE);
    this.flush();
  }

  private copy(bytes: Buffer): void {
    for (let done = 0; done < bytes.length;) {
      const { buffer, offset, length } = this.space(bytes.length - done);
      bytes.copy(buffer, offset, done, done + length);
      this.advance(length);
      done += length;
    }
  }

  /** Makes room for at least one block, handing a full buffer on. */
  private room(): void {
    if (this.at === this.batchBytes) this.flush();
  }

  private flush(): void {
    if (this.at === 0) return;
    const full = this.buf;
    const chunk = this.at === this.batchBytes ? full : full.subarray(0, this.at);
    // The sink keeps the chunk until it is done with it: the next bytes go to another buffer.
    this.buf = this.spare.pop() ?? Buffer.allocUnsafe(this.batchBytes);
    this.at = 0;
    this.sink(chunk, () => this.spare.push(full));
  }
}
