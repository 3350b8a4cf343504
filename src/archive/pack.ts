import { closeSync, constants, createWriteStream, fstatSync, openSync, readSync } from "node:fs";
import { Transform, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { OperationError } from "../errors.js";
import { MAX_ARTIFACT_BYTES } from "../api/types.js";
import type { IgnoreRules } from "./ignore-rules.js";
import { SourceDigest } from "./digest.js";
import { DependencyDirTally, type PackedDependencyDir } from "./dependency-dirs.js";
import { describeFsError, type ArchiveEntry, type SkippedEntry } from "./entries.js";
import { archiveOverLimit } from "./limit.js";
import { TarBlocks } from "./tar-blocks.js";
import { pathsUnder, walkTree } from "./walk.js";

export { describeFsError, readDirectory } from "./entries.js";
export { linkPointsOutside, listFiles } from "./walk.js";

interface PackProgress {
  files: number;
  /** Bytes of content packed so far, before compression. */
  bytes: number;
}

export interface PackOptions {
  signal?: AbortSignal;
  /** Compressed bytes past which packing stops with an error (default: the API's limit). */
  limit?: number;
  /** Called after each entry: cheap to call, the caller decides when to draw. */
  onProgress?: (progress: PackProgress) => void;
}

export interface PackResult extends PackProgress {
  /** Size of the .tar.gz written. */
  archiveBytes: number;
  /** The source's digest (digest.ts): equal for equal sources, whatever their mtimes. */
  digest: string;
  skipped: SkippedEntry[];
  dependencyDirs: PackedDependencyDir[];
}

/**
 * The archive goes to gzip in buffers of this size (tar-blocks.ts): gzip in the thread pool
 * costs a round trip per write (measured on 50,000 small files: writing each header and
 * file on its own was 2.5× slower than 256 KiB at a time).
 */
const BATCH_BYTES = 256 * 1024;
/**
 * Buffers handed to gzip and not yet compressed, past which packing waits: enough that the
 * thread pool always has the next one while the files are read, and memory stays bounded
 * whatever the size of a file.
 */
const BATCHES_IN_FLIGHT = 4;
// O_NONBLOCK: a file swapped for a FIFO after the walk must not hang the open.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * Walks `dir` and writes what the rules let through as a .tar.gz to `destFile` in one pass,
 * digesting it on the way: regular files with their modes and mtimes, symlinks as links,
 * names sorted (walk.ts). The tar format is node-tar's (ustar, PAX for what does not fit).
 * Stops as soon as the compressed output passes the limit; rejects with the signal's
 * reason when it aborts.
 */
export async function packTree(dir: string, rules: IgnoreRules, destFile: string, options: PackOptions = {}): Promise<PackResult> {
  const { signal, onProgress } = options;
  const limit = options.limit ?? MAX_ARTIFACT_BYTES;
  signal?.throwIfAborted();
  const digest = new SourceDigest();
  const dependencyDirs = new DependencyDirTally();
  const skipped: SkippedEntry[] = [];
  const progress: PackProgress = { files: 0, bytes: 0 };
  let archiveBytes = 0;

  // Node's gzip runs in the thread pool: it compresses while the next files are read.
  const gzip = createGzip({ chunkSize: 256 * 1024 });
  const feed = new Feed(gzip);
  const blocks = new TarBlocks(BATCH_BYTES, feed.write);
  const pathOf = pathsUnder(dir);
  const file = createWriteStream(destFile, { mode: 0o600 });
  const out = pipeline(
    gzip,
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        archiveBytes += chunk.length;
        if (archiveBytes > limit) done(archiveOverLimit(limit, progress.files));
        else done(null, chunk);
      },
    }),
    file,
    { signal },
  );
  // The writer may fail (limit, disk full, Ctrl-C) while entries are still being added:
  // the walk stops at the next entry, and the writer's error is the one told. A file that
  // cannot be read is told as itself.
  out.catch((err: unknown) => feed.fail(err));
  let readFailure: { err: unknown } | undefined;
  try {
    await walkTree(
      dir,
      rules,
      (item) => {
        signal?.throwIfAborted();
        feed.check();
        if ("skipped" in item) {
          skipped.push(item.skipped);
          return;
        }
        const entry = item.entry;
        let pending: void | Promise<void> = undefined;
        if (entry.type === "symlink") {
          digest.entry(entry);
          blocks.writeHeader(entry);
        } else {
          pending = addFile(blocks, feed, pathOf(entry.path), entry, digest);
        }
        const packed = () => {
          dependencyDirs.add(entry);
          progress.files++;
          progress.bytes += entry.size;
          onProgress?.(progress);
          return feed.wait();
        };
        return pending ? pending.then(packed) : packed();
      },
      { statFiles: false },
    );
    blocks.finish();
    gzip.end();
  } catch (err) {
    readFailure = { err };
    gzip.destroy();
  }
  const writeFailure = await out.then(
    () => undefined,
    (err: unknown) => err,
  );
  // A failed pipeline settles before the file's late open has closed: the caller may
  // remove its directory next, and must find it empty.
  if (!file.closed) await new Promise<void>((resolve) => file.once("close", () => resolve()));
  if (signal?.aborted) throw signal.reason;
  if (readFailure?.err instanceof OperationError) throw readFailure.err;
  if (writeFailure !== undefined) throw writeFailure instanceof OperationError ? writeFailure : packError(writeFailure);
  if (readFailure) throw readFailure.err;
  return { ...progress, archiveBytes, digest: digest.hex(), skipped, dependencyDirs: dependencyDirs.dirs() };
}

/**
 * The archive's buffers on their way to gzip, at most BATCHES_IN_FLIGHT of them not yet
 * compressed: gzip calls back for each once it is done with it (and, when the file writer
 * pushes back, only once that has taken its output), which bounds memory.
 */
class Feed {
  private inFlight = 0;
  private failure: { err: unknown } | undefined;
  private resume: (() => void) | undefined;

  constructor(private readonly gzip: Writable) {}

  readonly write = (chunk: Buffer, release: () => void): void => {
    this.check();
    this.inFlight++;
    this.gzip.write(chunk, (err) => {
      this.inFlight--;
      release();
      if (err) this.fail(err);
      else this.wake();
    });
  };

  /** Nothing when gzip can take more now; otherwise a promise of when it can. */
  wait(): void | Promise<void> {
    this.check();
    if (this.inFlight < BATCHES_IN_FLIGHT) return;
    return new Promise<void>((resolve, reject) => {
      const check = () => {
        if (this.failure) reject(this.failure.err);
        else if (this.inFlight < BATCHES_IN_FLIGHT) resolve();
        else this.resume = check;
      };
      check();
    });
  }

  /** Throws when the writer has failed: nothing more is packed. */
  check(): void {
    if (this.failure) throw this.failure.err;
  }

  fail(err: unknown): void {
    if (!this.failure) this.failure = { err };
    this.wake();
  }

  /** Lets a waiting `wait()` look again. */
  private wake(): void {
    const resume = this.resume;
    this.resume = undefined;
    resume?.();
  }
}

/**
 * A regular file: opened without following a link and checked to still be one, and read
 * straight into the archive's buffer behind its header. Size, mode and mtime are the open
 * file's, so a file that grew since the walk is packed as it was when opened. A file larger
 * than a buffer waits for gzip between buffers.
 */
function addFile(blocks: TarBlocks, feed: Feed, path: string, entry: ArchiveEntry, digest: SourceDigest): void | Promise<void> {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (err) {
    throw fileError(entry.path, err);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new OperationError(`cannot pack ${entry.path}: it changed while being read`);
    // The walk may not have stat'ed it (walk.ts): what counts is what was opened.
    entry.size = st.size;
    entry.mode = st.mode & 0o7777;
    entry.mtimeMs = st.mtimeMs;
    digest.entry(entry);
    blocks.writeHeader(entry);
    if (st.size > BATCH_BYTES) return addLargeFile(blocks, feed, fd, entry, digest);
    readBody(blocks, fd, entry.path, st.size, digest);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  closeSync(fd);
}

/** The content of a file larger than a buffer, a buffer at a time; closes `fd` when done. */
async function addLargeFile(blocks: TarBlocks, feed: Feed, fd: number, entry: ArchiveEntry, digest: SourceDigest): Promise<void> {
  try {
    for (let left = entry.size; left > 0;) {
      left -= readInto(blocks, fd, entry.path, left, digest);
      if (left > 0) await feed.wait();
    }
    blocks.pad(entry.size);
  } finally {
    closeSync(fd);
  }
}

/** `size` bytes of content, then the padding to a whole block. */
function readBody(blocks: TarBlocks, fd: number, rel: string, size: number, digest: SourceDigest): void {
  for (let left = size; left > 0;) left -= readInto(blocks, fd, rel, left, digest);
  blocks.pad(size);
}

/** Reads up to `left` bytes (as many as the current buffer holds) into the archive. */
function readInto(blocks: TarBlocks, fd: number, rel: string, left: number, digest: SourceDigest): number {
  const { buffer, offset, length } = blocks.space(left);
  readPiece(fd, rel, buffer, offset, length);
  digest.content(buffer.subarray(offset, offset + length));
  blocks.advance(length);
  return length;
}

function readPiece(fd: number, rel: string, buf: Buffer, offset: number, size: number): void {
  let at = 0;
  try {
    while (at < size) {
      const n = readSync(fd, buf, offset + at, size - at, null);
      if (n === 0) throw new OperationError(`cannot pack ${rel}: it shrank while being read`);
      at += n;
    }
  } catch (err) {
    throw fileError(rel, err);
  }
}

function fileError(rel: string, err: unknown): unknown {
  if (err instanceof OperationError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  // O_NOFOLLOW met a link where the walk saw a file.
  const why = code === "ELOOP" ? "it changed while being read" : describeFsError(err as NodeJS.ErrnoException);
  return new OperationError(`cannot read ${rel}: ${why}`, { cause: err });
}

function packError(err: unknown): OperationError {
  const e = err as NodeJS.ErrnoException;
  return new OperationError(`cannot write the archive: ${e.code ? describeFsError(e) : e.message}`, { cause: err });
}
