import type { ArchiveEntry } from "./entries.js";

/**
 * Folders a package manager fills and a build recreates: packing one makes the archive
 * large (often over the limit) for nothing. Go's vendor/ is sometimes packed on purpose,
 * which an ignore file that mentions it (even as `!vendor/`) says.
 */
const DEPENDENCY_DIRS: ReadonlySet<string> = new Set(["node_modules", "bower_components", ".venv", "venv", "__pycache__", "vendor"]);

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
  /**
   * The folder the previous entry sat in and the dependency folder it counts for: entries
   * come folder by folder, so most are counted without splitting their path.
   */
  private last: { parent: string; dir: PackedDependencyDir | undefined } = { parent: "", dir: undefined };

  add(entry: ArchiveEntry): void {
    const parent = entry.path.slice(0, Math.max(0, entry.path.lastIndexOf("/")));
    if (parent !== this.last.parent) this.last = { parent, dir: this.enclosing(parent) };
    if (this.last.dir) this.last.dir.bytes += entry.size;
  }

  /** The outermost dependency folder `parent` is or sits in, registered when first met. */
  private enclosing(parent: string): PackedDependencyDir | undefined {
    if (parent === "") return undefined;
    const parts = parent.split("/");
    const at = parts.findIndex((part) => DEPENDENCY_DIRS.has(part));
    if (at < 0) return undefined;
    const path = parts.slice(0, at + 1).join("/");
    let dir = this.found.get(path);
    if (!dir) {
      dir = { path, name: parts[at]!, bytes: 0 };
      this.found.set(path, dir);
    }
    return dir;
  }

  dirs(): PackedDependencyDir[] {
    return [...this.found.values()];
  }
}
