import { lstat, readdir, readlink, stat } from "node:fs/promises";
import { join, posix } from "node:path";
import { createWriteStream, type Stats } from "node:fs";
import { createGzip } from "node:zlib";
import { Pack } from "tar";
import { OperationError } from "../errors.js";
import type { IgnoreRules } from "./ignore-rules.js";

export type EntryType = "file" | "symlink";

/** One thing that goes into the archive. Directories are implied by their contents. */
export interface ArchiveEntry {
  /** Relative to the packed directory, POSIX separators, no leading `./`. */
  path: string;
  type: EntryType;
  /** Bytes of content (0 for a symlink). */
  size: number;
  /** Permission bits, e.g. 0o755. */
  mode: number;
  /** A symlink's target, as stored (never resolved). */
  target?: string;
}

/**
 * A directory entry left out of the archive: a socket, FIFO or device cannot be packed,
 * and a symlink pointing outside the directory is refused by the server (the contract
 * leaves it out, in --dry-run and a real submit alike).
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

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Everything under `dir` the rules let through, in a stable order (names sorted, depth
 * first). Nothing is followed: a symlink is listed as a link, even one to a directory.
 */
export async function listFiles(dir: string, rules: IgnoreRules): Promise<FileList> {
  const entries: ArchiveEntry[] = [];
  const skipped: SkippedEntry[] = [];
  let totalBytes = 0;

  const walk = async (relDir: string): Promise<void> => {
    const names = (await readDirectory(relDir || ".", () => readdir(join(dir, relDir)))).sort(byCodeUnit);
    for (const name of names) {
      const rel = relDir ? `${relDir}/${name}` : name;
      const st = await readDirectory(rel, () => lstat(join(dir, rel)));
      if (st.isDirectory()) {
        if (rules.ignores(rel, true)) continue;
        await readDirectory(rel, () => rules.enterDirectory(rel));
        await walk(rel);
        continue;
      }
      if (rules.ignores(rel, false)) continue;
      if (st.isFile()) {
        entries.push({ path: rel, type: "file", size: st.size, mode: st.mode & 0o7777 });
        totalBytes += st.size;
      } else if (st.isSymbolicLink()) {
        const target = await readDirectory(rel, () => readlink(join(dir, rel)));
        if (linkPointsOutside(rel, target)) skipped.push({ path: rel, reason: `a symlink to ${target}, outside the directory, is left out` });
        else entries.push({ path: rel, type: "symlink", size: 0, mode: st.mode & 0o7777, target });
      } else {
        skipped.push({ path: rel, reason: `a ${specialKind(st)} cannot be packed` });
      }
    }
  };

  await walk("");
  return { entries, skipped, totalBytes };
}

/** Whether a link at `rel` pointing to `target` would resolve outside the archive root. */
export function linkPointsOutside(rel: string, target: string): boolean {
  if (posix.isAbsolute(target)) return true;
  const resolved = posix.normalize(posix.join(posix.dirname(rel), target));
  return resolved === ".." || resolved.startsWith("../");
}

function specialKind(st: Stats): string {
  if (st.isSocket()) return "socket";
  if (st.isFIFO()) return "FIFO";
  if (st.isCharacterDevice()) return "character device";
  if (st.isBlockDevice()) return "block device";
  return "special file";
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

/**
 * Reads something under the packed directory (`rel` names it in the message): any failure
 * (an unreadable subdirectory, its ignore file) is one line naming the path, exit 1.
 */
export async function readDirectory<T>(rel: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof OperationError) throw err;
    throw new OperationError(`cannot read ${rel}: ${describeFsError(err as NodeJS.ErrnoException)}`, { cause: err });
  }
}

/**
 * Writes `entries` (paths relative to `dir`) as a .tar.gz to `destFile`. Modes and mtimes
 * are kept; symlinks are stored as links (tar lstat()s each path and never follows one).
 * Rejects with the signal's reason when it aborts.
 */
export async function packDirectory(
  dir: string,
  entries: readonly ArchiveEntry[],
  destFile: string,
  signal?: AbortSignal,
): Promise<{ bytes: number }> {
  signal?.throwIfAborted();
  // tar reads a file 16 MiB at a time by default: a few large files would hold that much
  // each, and memory would grow with the tree instead of staying flat.
  const pack = new Pack({ cwd: dir, gzip: false, noDirRecurse: true, follow: false, strict: true, maxReadSize: 1024 * 1024 });
  // tar's own gzip compresses on the main thread, chunk by chunk; Node's runs in the thread
  // pool, so the spinner keeps turning and Ctrl-C is heard however large the files are.
  // Output in 256 KiB pieces, not zlib's default 16 KiB: a fifth less time for a 100 MB tree.
  const gzip = createGzip({ chunkSize: 256 * 1024 });
  const out = createWriteStream(destFile, { mode: 0o600 });
  await new Promise<void>((resolve, reject) => {
    const fail = (err: unknown) => {
      signal?.removeEventListener("abort", onAbort);
      gzip.destroy();
      out.destroy();
      reject(err instanceof Error && "code" in err && !(err instanceof OperationError) ? packError(err) : err);
    };
    const onAbort = () => fail(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    pack.on("error", fail);
    gzip.on("error", fail);
    out.on("error", fail);
    out.on("close", () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    pack.pipe(gzip).pipe(out);
    // Pack.add, unlike tar.create, takes a name starting with "@" literally.
    for (const entry of entries) pack.add(entry.path);
    pack.end();
  });
  return { bytes: (await stat(destFile)).size };
}

function packError(err: Error): OperationError {
  const e = err as NodeJS.ErrnoException & { path?: string };
  const where = e.path ? ` ${e.path}` : "";
  return new OperationError(`cannot pack${where}: ${e.code ?? e.message}`, { cause: err });
}
