import { lstat, readdir, readlink, stat } from "node:fs/promises";
import { join, posix } from "node:path";
import { createWriteStream, type Stats } from "node:fs";
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
  /** A symlink whose target is absolute or climbs out of the packed directory. */
  pointsOutside?: boolean;
}

/** A directory entry that cannot go into a build archive (socket, FIFO, device). */
export interface SkippedEntry {
  path: string;
  kind: string;
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
    const names = (await fsCall(relDir || ".", () => readdir(join(dir, relDir)))).sort(byCodeUnit);
    for (const name of names) {
      const rel = relDir ? `${relDir}/${name}` : name;
      const st = await fsCall(rel, () => lstat(join(dir, rel)));
      if (st.isDirectory()) {
        if (rules.ignores(rel, true)) continue;
        await rules.enterDirectory(rel);
        await walk(rel);
        continue;
      }
      if (rules.ignores(rel, false)) continue;
      if (st.isFile()) {
        entries.push({ path: rel, type: "file", size: st.size, mode: st.mode & 0o7777 });
        totalBytes += st.size;
      } else if (st.isSymbolicLink()) {
        const target = await fsCall(rel, () => readlink(join(dir, rel)));
        entries.push({ path: rel, type: "symlink", size: 0, mode: st.mode & 0o7777, target, pointsOutside: linkPointsOutside(rel, target) });
      } else {
        skipped.push({ path: rel, kind: specialKind(st) });
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

async function fsCall<T>(rel: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new OperationError(`cannot read ${rel}: ${e.code ?? e.message}`, { cause: err });
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
  const pack = new Pack({ cwd: dir, gzip: true, noDirRecurse: true, follow: false, strict: true, maxReadSize: 1024 * 1024 });
  const out = createWriteStream(destFile, { mode: 0o600 });
  await new Promise<void>((resolve, reject) => {
    const fail = (err: unknown) => {
      signal?.removeEventListener("abort", onAbort);
      out.destroy();
      reject(err instanceof Error && "code" in err && !(err instanceof OperationError) ? packError(err) : err);
    };
    const onAbort = () => fail(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    pack.on("error", fail);
    out.on("error", fail);
    out.on("close", () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    pack.pipe(out);
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
