import { lstatSync, readdirSync, readlinkSync, type Dirent, type Stats } from "node:fs";
import { isUtf8 } from "node:buffer";
import { posix, resolve, sep } from "node:path";
import type { IgnoreRules } from "./ignore-rules.js";
import { readDirectorySync, type ArchiveEntry, type FileList, type SkippedEntry } from "./entries.js";

export type WalkItem = { entry: ArchiveEntry } | { skipped: SkippedEntry };

export interface WalkOptions {
  /**
   * false: a regular file (as the directory listing says) is handed over unstat'ed, its
   * size, mode and mtime 0, for a reader that opens it and fstat()s it anyway (the
   * packer): one system call less per file.
   */
  statFiles?: boolean;
}

/** The names an ignore file can have (ignore-rules.ts decides which of them count). */
const IGNORE_FILES: ReadonlySet<string> = new Set([".valarignore", ".gitignore"]);

const byCodeUnit = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * How long the walk may keep the thread before it lets timers and signals run: its calls
 * are synchronous (measured: a third of the time of awaiting one lstat at a time on 50,000
 * files), so without a pause neither the packing line nor Ctrl-C would be heard.
 */
const SLICE_MS = 40;

/**
 * Everything under `dir` the rules let through, in a stable order (names sorted by code
 * unit, depth first), handed to `visit` as it is found; a visit that returns a promise
 * holds the walk until it settles (the packer's back-pressure). Nothing is followed: a
 * symlink is listed as a link, even one to a directory. The rules are asked before
 * anything else is read, so an ignored folder is never listed and an ignored file never
 * stat'ed.
 */
export async function walkTree(
  dir: string,
  rules: IgnoreRules,
  visit: (item: WalkItem) => void | Promise<void>,
  options: WalkOptions = {},
): Promise<void> {
  const statFiles = options.statFiles ?? true;
  let sliceStart = performance.now();
  const abs = pathsUnder(dir);

  const walk = async (relDir: string): Promise<void> => {
    const children = listDirectory(abs(relDir), relDir).sort(byCodeUnit);
    // The rules read a folder's ignore file themselves; most folders have none, and asking
    // for a file the listing shows is not there cost a thread-pool round trip per folder.
    if (relDir !== "" && children.some((c) => IGNORE_FILES.has(c.name))) {
      readDirectorySync(relDir, () => rules.enterDirectorySync(relDir));
    }
    for (const { dirent, name, raw } of children) {
      if (performance.now() - sliceStart >= SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
      const rel = relDir ? `${relDir}/${name}` : name;
      // A Dirent of a file system that does not report types says false to every question.
      const knownDir = dirent.isDirectory();
      const unknown = !knownDir && !dirent.isFile() && !dirent.isSymbolicLink();
      if (rules.ignores(rel, knownDir)) continue;
      let item: WalkItem | undefined;
      if (raw && !isUtf8(raw)) {
        // The rules saw the name with U+FFFD for its bad bytes; the archive's names are UTF-8.
        item = { skipped: { path: printableName(relDir, raw), reason: "its name is not valid UTF-8 (rename it, or ignore it)" } };
      } else if (knownDir) {
        await walk(rel);
      } else if (!statFiles && dirent.isFile()) {
        item = { entry: { path: rel, type: "file", size: 0, mode: 0, mtimeMs: 0 } };
      } else {
        const st = readDirectorySync(rel, () => lstatSync(abs(rel)));
        if (st.isDirectory()) {
          // Only a file system without types gets here: its folders are asked about as such.
          if (unknown && rules.ignores(rel, true)) continue;
          await walk(rel);
        } else if (st.isFile()) {
          item = { entry: { path: rel, type: "file", size: st.size, mode: st.mode & 0o7777, mtimeMs: st.mtimeMs } };
        } else if (st.isSymbolicLink()) {
          const target = readDirectorySync(rel, () => readlinkSync(abs(rel)));
          item = linkPointsOutside(rel, target)
            ? { skipped: { path: rel, reason: `a symlink to ${target}, outside the directory, is left out` } }
            : { entry: { path: rel, type: "symlink", size: 0, mode: st.mode & 0o7777, mtimeMs: st.mtimeMs, target } };
        } else {
          item = { skipped: { path: rel, reason: `a ${specialKind(st)} cannot be packed` } };
        }
      }
      if (item) {
        const pending = visit(item);
        if (pending) await pending;
      }
    }
  };

  await walk("");
}

interface Child {
  dirent: Dirent<string> | Dirent<Buffer>;
  name: string;
  /** The name's bytes, when they may not be UTF-8. */
  raw?: Buffer;
}

/**
 * A folder's entries. Names are read as strings: as bytes, each name was a Buffer to decode
 * (measured: 10–50 ms more in packing 50,000 files, ~650 ms). Node decodes bytes that are
 * not UTF-8 as U+FFFD, so only a folder with such a name in it is listed again as bytes,
 * to tell a bad name from a real U+FFFD.
 */
function listDirectory(absDir: string, relDir: string): Child[] {
  const where = relDir || ".";
  const listed = readDirectorySync(where, () => readdirSync(absDir, { withFileTypes: true }));
  if (!listed.some((d) => d.name.includes("\uFFFD"))) return listed.map((d) => ({ dirent: d, name: d.name }));
  const bytes = readDirectorySync(where, () => readdirSync(absDir, { withFileTypes: true, encoding: "buffer" }));
  return bytes.map((d) => ({ dirent: d, name: d.name.toString("utf8"), raw: d.name }));
}

/**
 * The absolute path of an entry (relative, as the walk names it) under `dir`. Joined by
 * hand: path.join normalises every time, which showed in profiles of 50,000 files; the
 * root is normalised once and the names come from readdir.
 */
export function pathsUnder(dir: string): (rel: string) => string {
  const root = resolve(dir);
  return (rel) => (rel === "" ? root : `${root}${sep}${rel}`);
}

/** The whole list at once (--dry-run, tests): what walkTree finds, gathered. */
export async function listFiles(dir: string, rules: IgnoreRules): Promise<FileList> {
  const list: FileList = { entries: [], skipped: [], totalBytes: 0 };
  await walkTree(dir, rules, (item) => {
    if ("skipped" in item) list.skipped.push(item.skipped);
    else {
      list.entries.push(item.entry);
      list.totalBytes += item.entry.size;
    }
  });
  return list;
}

/** Whether a link at `rel` pointing to `target` would resolve outside the archive root. */
export function linkPointsOutside(rel: string, target: string): boolean {
  if (posix.isAbsolute(target)) return true;
  const resolved = posix.normalize(posix.join(posix.dirname(rel), target));
  return resolved === ".." || resolved.startsWith("../");
}

/** A name that is not UTF-8, its bad bytes as \xNN: what a user can find it by. */
function printableName(relDir: string, raw: Buffer): string {
  let name = "";
  for (const byte of raw) name += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, "0")}`;
  return relDir ? `${relDir}/${name}` : name;
}

function specialKind(st: Stats): string {
  if (st.isSocket()) return "socket";
  if (st.isFIFO()) return "FIFO";
  if (st.isCharacterDevice()) return "character device";
  if (st.isBlockDevice()) return "block device";
  return "special file";
}
