import type { ArchiveEntry } from "./entries.js";

/**
 * Folders a package manager fills and a build recreates: packing one makes the archive
 * large (often over the limit) for nothing. Go's vendor/ is sometimes packed on purpose,
 * which an ignore file that mentions it (even as `!vendor/`) says.
 */
const DEPENDENCY_DIRS: ReadonlySet<string> = new Set(["node_modules", "bower_components", ".venv", "venv", "__pycache__", "vendor"]);
const MAYBE_IN_DEPENDENCY_DIR = /(^|\/)(node_modules|bower_components|\.venv|venv|__pycache__|vendor)\//;

export interface PackedDependencyDir {
  /** Its path in the archive, e.g. "web/node_modules". */
  path: string;
  /** The folder's name, e.g. "node_modules". */
  name: string;
  bytes: number;
}

/** The outermost dependency folders among the entries, with the bytes of content packed from each. */
export function packedDependencyDirs(entries: readonly ArchiveEntry[]): PackedDependencyDir[] {
  const tally = new DependencyDirTally();
  for (const entry of entries) tally.add(entry);
  return tally.dirs();
}

/** packedDependencyDirs for entries seen one at a time, as they are packed. */
export class DependencyDirTally {
  private readonly found = new Map<string, PackedDependencyDir>();

  add(entry: ArchiveEntry): void {
    // Most entries are in no such folder: one regular expression says so without splitting.
    if (!MAYBE_IN_DEPENDENCY_DIR.test(entry.path)) return;
    const parts = entry.path.split("/");
    // The last part is the entry itself, not a folder it sits in.
    const at = parts.slice(0, -1).findIndex((part) => DEPENDENCY_DIRS.has(part));
    if (at < 0) return;
    const path = parts.slice(0, at + 1).join("/");
    const dir = this.found.get(path) ?? { path, name: parts[at]!, bytes: 0 };
    dir.bytes += entry.size;
    this.found.set(path, dir);
  }

  dirs(): PackedDependencyDir[] {
    return [...this.found.values()];
  }
}
