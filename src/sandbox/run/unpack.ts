import { createReadStream } from "node:fs";
import { posix, win32 } from "node:path";
import { Parser, x as extract, type ReadEntry } from "tar";

/** Why an archive was refused: an entry that would land or point outside the workspace. */
export class UnsafeArchiveError extends Error {}

/** An archive that unpacks to more than the sandbox allows (bytes or entries). */
export class ArchiveTooLargeError extends UnsafeArchiveError {}

export interface ArchiveLimits {
  /** Sum of the sizes of the files the archive unpacks to. */
  maxUnpackedBytes: number;
  /** Entries of any kind (files, directories, links). */
  maxEntries: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = { maxUnpackedBytes: 2 * 1024 ** 3, maxEntries: 200_000 };

const ALLOWED_TYPES = new Set(["File", "OldFile", "ContiguousFile", "Directory", "SymbolicLink", "Link"]);
const FILE_TYPES = new Set(["File", "OldFile", "ContiguousFile"]);
/** As many symlinks as Linux follows in one path before ELOOP. */
const MAX_LINK_HOPS = 40;

/** The problem with one archive entry on its own, or undefined when it stays inside the workspace. */
export function entryProblem(type: string, path: string, linkpath?: string): string | undefined {
  if (!ALLOWED_TYPES.has(type)) return `entry "${path}" is a ${type}, which a build archive may not hold`;
  if (isAbsolute(path)) return `entry "${path}" has an absolute path`;
  if (path.split(/[\\/]/).includes("..")) return `entry "${path}" has a ".." segment`;
  if (type === "SymbolicLink" || type === "Link") {
    const target = linkpath ?? "";
    if (!target || isAbsolute(target)) return `link "${path}" points to "${target}", outside the workspace`;
    // A symlink's target is relative to the link's own directory, a hard link's to the root.
    const from = type === "SymbolicLink" ? posix.dirname(slashes(path)) : ".";
    const resolved = posix.normalize(posix.join(from, slashes(target)));
    if (resolved === ".." || resolved.startsWith("../")) return `link "${path}" points to "${target}", outside the workspace`;
  }
  return undefined;
}

interface LinkEntry {
  type: "SymbolicLink" | "Link";
  path: string;
  target: string;
}

/**
 * The problems of an archive's links taken together: each target is resolved through
 * every symlink the archive holds (wherever it appears), as the kernel would after
 * unpacking — `x/y/L1 -> ../..` is harmless alone, but `x/y/L2 -> L1/../..` then leaves
 * the tree.
 */
export function linkChainProblems(links: LinkEntry[]): string[] {
  const symlinks = new Map<string, string>();
  for (const l of links) if (l.type === "SymbolicLink") symlinks.set(treePath(l.path), slashes(l.target));
  const problems: string[] = [];
  for (const l of links) {
    const start = l.type === "SymbolicLink" ? [...parts(posix.dirname(treePath(l.path))), ...parts(l.target)] : parts(l.target);
    const outcome = walk(start, symlinks);
    if (outcome) problems.push(`link "${l.path}" points to "${l.target}", which ${outcome}`);
  }
  return problems;
}

/** Follows a path from the tree's root; says how it goes wrong, or undefined when it stays inside. */
function walk(start: string[], symlinks: Map<string, string>): string | undefined {
  const todo = start;
  const resolved: string[] = [];
  let hops = 0;
  while (todo.length > 0) {
    const part = todo.shift()!;
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (resolved.length === 0) return "leads outside the workspace through the archive's links";
      resolved.pop();
      continue;
    }
    resolved.push(part);
    const target = symlinks.get(resolved.join("/"));
    if (target === undefined) continue;
    if (++hops > MAX_LINK_HOPS) return "is a loop of links";
    if (isAbsolute(target)) return "leads outside the workspace through the archive's links";
    resolved.pop();
    todo.unshift(...parts(target));
  }
  return undefined;
}

export interface ArchiveSummary {
  entries: number;
  bytes: number;
}

/** Counts an archive's entries and unpacked bytes against the limits, one entry at a time. */
export class ArchiveTally implements ArchiveSummary {
  entries = 0;
  bytes = 0;
  constructor(private readonly limits: ArchiveLimits) {}

  /** Counts one entry; returns the error once a limit is passed. */
  add(entry: ReadEntry): ArchiveTooLargeError | undefined {
    this.entries++;
    if (FILE_TYPES.has(entry.type)) this.bytes += entry.size ?? 0;
    if (this.entries > this.limits.maxEntries)
      return new ArchiveTooLargeError(`the artifact holds more than ${this.limits.maxEntries} entries (--max-entries)`);
    if (this.bytes > this.limits.maxUnpackedBytes) {
      return new ArchiveTooLargeError(`the artifact unpacks to more than ${formatBytes(this.limits.maxUnpackedBytes)} (--max-unpacked-size)`);
    }
    return undefined;
  }
}

/**
 * Reads the whole archive without writing anything: counts entries and unpacked bytes
 * (refusing as soon as a limit is passed, so a bomb is never decompressed in full) and
 * checks every entry and every link. Streams, so the event loop is never held for long.
 */
export function scanArchive(file: string, limits: ArchiveLimits): Promise<ArchiveSummary> {
  return new Promise((resolve, reject) => {
    const problems: string[] = [];
    const links: LinkEntry[] = [];
    const tally = new ArchiveTally(limits);
    let settled = false;
    const input = createReadStream(file);
    const settle = (err?: Error) => {
      if (settled) return;
      settled = true;
      input.destroy();
      if (err) reject(err);
      else if (problems.length > 0) reject(new UnsafeArchiveError(problems[0] + (problems.length > 1 ? ` (and ${problems.length - 1} more)` : "")));
      else resolve({ entries: tally.entries, bytes: tally.bytes });
    };
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        entry.resume();
        if (settled) return;
        const tooLarge = tally.add(entry);
        if (tooLarge) return settle(tooLarge);
        const problem = entryProblem(entry.type, entry.path, entry.linkpath);
        if (problem) problems.push(problem);
        else if (entry.type === "SymbolicLink" || entry.type === "Link")
          links.push({ type: entry.type, path: entry.path, target: entry.linkpath ?? "" });
      },
    });
    parser.on("error", (err: Error) => settle(err));
    parser.on("end", () => {
      problems.push(...linkChainProblems(links));
      settle();
    });
    input.on("error", (err) => settle(err));
    input.pipe(parser);
  });
}

/**
 * Unpacks a .tar.gz into an existing, empty workspace. The archive is checked whole
 * before anything is written, so a refused archive writes nothing at all; tar's own
 * guards (no writing through symlinks, strict mode) stay on as a second line.
 */
export async function unpackArchive(file: string, workspace: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<number> {
  const { entries } = await scanArchive(file, limits);
  await extract({ file, cwd: workspace, strict: true, preserveOwner: false });
  return entries;
}

/** e.g. 2 GiB, 512 MiB, 1000 bytes. */
export function formatBytes(n: number): string {
  for (const [unit, size] of [
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ] as const) {
    if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  }
  return `${n} bytes`;
}

function isAbsolute(p: string): boolean {
  return posix.isAbsolute(p) || win32.isAbsolute(p);
}

function slashes(p: string): string {
  return p.replace(/\\/g, "/");
}

/** An entry's path as a key in the tree: no "./", no trailing slash. */
function treePath(p: string): string {
  return (
    parts(p)
      .filter((s) => s !== ".")
      .join("/") || "."
  );
}

function parts(p: string): string[] {
  return slashes(p)
    .split("/")
    .filter((s) => s !== "");
}
