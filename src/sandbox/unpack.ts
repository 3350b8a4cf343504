import { posix, win32 } from "node:path";

/** Why an archive was refused: an entry that would land or point outside the workspace. */
export class UnsafeArchiveError extends Error {}

const ALLOWED_TYPES = new Set(["File", "OldFile", "ContiguousFile", "Directory", "SymbolicLink", "Link"]);

/** The problem with one archive entry, or undefined when it stays inside the workspace. */
export function entryProblem(type: string, path: string, linkpath?: string): string | undefined {
  if (!ALLOWED_TYPES.has(type)) return `entry "${path}" is a ${type}, which a build archive may not hold`;
  if (isAbsolute(path)) return `entry "${path}" has an absolute path`;
  if (path.split(/[\\/]/).includes("..")) return `entry "${path}" has a ".." segment`;
  if (type === "SymbolicLink" || type === "Link") {
    const target = linkpath ?? "";
    if (!target || isAbsolute(target)) return `link "${path}" points to "${target}", outside the workspace`;
    // A symlink's target is relative to the link's own directory, a hard link's to the root.
    const from = type === "SymbolicLink" ? posix.dirname(path.replace(/\\/g, "/")) : ".";
    const resolved = posix.normalize(posix.join(from, target.replace(/\\/g, "/")));
    if (resolved === ".." || resolved.startsWith("../")) return `link "${path}" points to "${target}", outside the workspace`;
  }
  return undefined;
}

function isAbsolute(p: string): boolean {
  return posix.isAbsolute(p) || win32.isAbsolute(p);
}

/**
 * Unpacks a .tar.gz into an existing, empty workspace. The archive is checked whole
 * before anything is written, so a refused archive writes nothing at all; tar's own
 * guards (no writing through symlinks, strict mode) stay on as a second line.
 */
export async function unpackArchive(file: string, workspace: string): Promise<number> {
  const tar = await import("tar");
  const problems: string[] = [];
  let entries = 0;
  await tar.t({
    file,
    strict: true,
    onReadEntry: (entry) => {
      entries++;
      const problem = entryProblem(entry.type, entry.path, entry.linkpath);
      if (problem) problems.push(problem);
    },
  });
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
    throw new UnsafeArchiveError(`${problems[0]}${more}`);
  }
  await tar.x({
    file,
    cwd: workspace,
    strict: true,
    preserveOwner: false,
  });
  return entries;
}
