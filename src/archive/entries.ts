import { OperationError } from "../errors.js";

type EntryType = "file" | "symlink";

/** One thing that goes into the archive. Directories are implied by their contents. */
export interface ArchiveEntry {
  /** Relative to the packed directory, POSIX separators, no leading `./`. */
  path: string;
  type: EntryType;
  /** Bytes of content (0 for a symlink). */
  size: number;
  /** Permission bits, e.g. 0o755. */
  mode: number;
  /** Kept in the archive; not part of the source's digest. */
  mtimeMs: number;
  /** A symlink's target, as stored (never resolved). */
  target?: string;
}

/**
 * A directory entry left out of the archive: a socket, FIFO or device cannot be packed,
 * a name that is not UTF-8 cannot be named in it, and a symlink pointing outside the
 * directory is refused by the server (the contract leaves it out, in --dry-run and a
 * real submit alike).
 */
export interface SkippedEntry {
  path: string;
  /** Why, as the end of a warning: "a FIFO cannot be packed". */
  reason: string;
}

export interface FileList {
  entries: ArchiveEntry[];
  skipped: SkippedEntry[];
  /** Sum of the entries' sizes, before compression. */
  totalBytes: number;
}

const FS_ERRORS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  ENOENT: "it disappeared while being read",
  ELOOP: "too many levels of symbolic links",
  EIO: "input/output error",
};

/** A file system failure in words: "permission denied" rather than "EACCES". */
export function describeFsError(err: NodeJS.ErrnoException): string {
  return (err.code && FS_ERRORS[err.code]) ?? err.code ?? err.message;
}

function readError(rel: string, err: unknown): unknown {
  if (err instanceof OperationError) return err;
  return new OperationError(`cannot read ${rel}: ${describeFsError(err as NodeJS.ErrnoException)}`, { cause: err });
}

/**
 * Reads something under the packed directory (`rel` names it in the message): any failure
 * (an unreadable subdirectory, its ignore file) is one line naming the path, exit 1.
 */
export async function readDirectory<T>(rel: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw readError(rel, err);
  }
}

/** readDirectory for a synchronous call. */
export function readDirectorySync<T>(rel: string, call: () => T): T {
  try {
    return call();
  } catch (err) {
    throw readError(rel, err);
  }
}
