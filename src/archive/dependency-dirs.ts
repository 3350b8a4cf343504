import type { ArchiveEntry } from "./pack.js";

/**
 * Folders a package manager fills and a build recreates: packing one makes the archive
 * large (often over the limit) for nothing. Go's vendor/ is sometimes packed on purpose,
 * which an ignore file that mentions it (even as `!vendor/`) says.
 */
export const DEPENDENCY_DIRS: ReadonlySet<string> = new Set(["node_modules", "bower_components", ".venv", "venv", "__pycache__", "vendor"]);

export interface PackedDependencyDir {
  /** Its path in the archive, e.g. "web/node_modules". */
  path: string;
  /** The folder's name, e.g. "node_modules". */
  name: string;
  bytes: number;
}

/** The outermost dependency folders among the entries, with the bytes of content packed from each. */
export function packedDependencyDirs(entries: readonly ArchiveEntry[]): PackedDependencyDir[] {
  const found = new Map<string, PackedDependencyDir>();
  for (const entry of entries) {
    const parts = entry.path.split("/");
    // The last part is the entry itself, not a folder it sits in.
    const at = parts.slice(0, -1).findIndex((part) => DEPENDENCY_DIRS.has(part));
    if (at < 0) continue;
    const path = parts.slice(0, at + 1).join("/");
    const dir = found.get(path) ?? { path, name: parts[at]!, bytes: 0 };
    dir.bytes += entry.size;
    found.set(path, dir);
  }
  return [...found.values()];
}
