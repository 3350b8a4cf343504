import { Header } from "tar/header";
import { Pax } from "tar/pax";
import type { ArchiveEntry } from "./entries.js";

const BLOCK = 512;
const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);
/**
 * What every entry's header shares, as node-tar encodes it: owner 0:0, device numbers 0.
 * Encoding those four numbers for each entry was a quarter of the header's cost (measured:
 * 2.8 against 2.1 µs a header; 40–75 ms of packing 50,000 files, ~650 ms).
 */
const SHARED = Buffer.alloc(BLOCK);
new Header({ uid: 0, gid: 0, devmaj: 0, devmin: 0 }).encode(SHARED);

/**
 * A tar stream written straight into large buffers: each header is encoded by node-tar's
 * `Header` (and `Pax`, for what a header cannot hold) in place, and file contents are read
 * into the same buffer right after it, so packing 50,000 small files allocates no buffer,
 * stream or callback per file. A full buffer goes to `sink`, which owns it from then on.
 */
export class TarBlocks {
  private buf: Buffer;
  private at = 0;
  /**
   * One header, its fields set anew for each entry (building one per entry cost ~2× as
   * much). The fields every entry shares are unset on it: encode() leaves an unset field's
   * bytes as they are, and each block starts as a copy of SHARED.
   */
  private readonly header = headerWithoutShared();
  /** The header's mtime, set anew for each entry. */
  private readonly mtime = new Date(0);
  /** Buffers the sink has released, to be written again. */
  private readonly spare: Buffer[] = [];

  constructor(
    private readonly batchBytes: number,
    private readonly sink: (chunk: Buffer, release: () => void) => void,
  ) {
    if (batchBytes % BLOCK !== 0) throw new Error("batchBytes must be a whole number of blocks");
    this.buf = Buffer.allocUnsafe(batchBytes);
  }

  /**
   * Writes an entry's header block, after a PAX header when a field does not fit in it. A
   * file's `size` bytes of content follow (`space`, `advance`, `pad`); a link has none.
   */
  writeHeader(entry: ArchiveEntry): void {
    const header = this.header;
    const link = entry.type === "symlink";
    header.path = entry.path;
    header.type = link ? "SymbolicLink" : "File";
    header.size = link ? 0 : entry.size;
    header.mode = entry.mode;
    this.mtime.setTime(entry.mtimeMs);
    header.mtime = this.mtime;
    header.linkpath = entry.target;
    if (this.encodeHeader()) {
      // A long or non-ASCII name or link target, or a size past 8 GiB: the PAX header that
      // says it goes first, over the block just encoded, which is encoded again after it.
      this.copy(new Pax({ path: header.path, linkpath: header.linkpath, size: header.size }).encode());
      this.encodeHeader();
    }
    this.at += BLOCK;
  }

  /** Encodes the header block at the current place; true when a PAX header must go first. */
  private encodeHeader(): boolean {
    this.room();
    SHARED.copy(this.buf, this.at);
    return this.header.encode(this.buf, this.at);
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

/** A header with the shared fields unset: encode() writes nothing for an unset field. */
function headerWithoutShared(): Header {
  const header = new Header();
  // devmaj and devmin are typed as numbers (0 by default), hence Reflect.
  for (const field of ["uid", "gid", "devmaj", "devmin"]) Reflect.set(header, field, undefined);
  return header;
}
