import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UsageError } from "../errors.js";
import { homeDir } from "./go-config-paths.js";
import { readSettingsFile } from "./settings-file.js";

/** A `.valar.yml` found and judged safe to use, with its text. */
export interface ValarYmlFile {
  path: string;
  text: string;
}

/**
 * The `.valar.yml` that applies to `start`: the nearest one walking up, stopping at the
 * repository root (a directory holding `.git`) or $HOME, whichever comes first (outside
 * both, at `/`), so a file in a shared parent such as /tmp never configures a build. The
 * nearest file decides: one that is not used (see `trusted`) is warned about and means
 * no `.valar.yml` at all, not a farther one.
 */
export function findValarYml(start: string, env: NodeJS.ProcessEnv, warn: (message: string) => void): ValarYmlFile | undefined {
  const home = resolve(homeDir(env));
  let dir = resolve(start);
  for (;;) {
    const path = join(dir, ".valar.yml");
    let file;
    try {
      file = readSettingsFile(path);
    } catch (err) {
      throw new UsageError(`${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    if (file.kind === "skipped") {
      warn(`ignoring ${path}: ${file.reason}`);
      return undefined;
    }
    if (file.kind === "read") return trusted(path, file.stats, warn) ? { path, text: file.text } : undefined;
    const parent = dirname(dir);
    if (dir === home || parent === dir || existsSync(join(dir, ".git"))) return undefined;
    dir = parent;
  }
}

/**
 * Whether a `.valar.yml` may configure this user's builds (its environment reaches them):
 * not when others can change it — writable by group or others, or in a directory anyone
 * can write to (the sticky bit of /tmp does not help: anyone may create the file there).
 * One owned by another user is used, with a warning saying whose it is.
 */
function trusted(path: string, stats: { mode: number; uid: number }, warn: (message: string) => void): boolean {
  const uid = process.getuid?.();
  // Without POSIX owners and modes (Windows) there is nothing to judge.
  if (uid === undefined) return true;
  if (stats.mode & 0o022) {
    const who = stats.mode & 0o002 ? "others" : "its group";
    warn(`ignoring ${path}: it is writable by ${who} (mode ${modeText(stats.mode)}); run chmod go-w on it to use it`);
    return false;
  }
  const dir = dirname(path);
  if (statSync(dir).mode & 0o002) {
    warn(`ignoring ${path}: ${dir} is writable by anyone, so anyone could have put it there`);
    return false;
  }
  if (stats.uid !== uid) warn(`${path} belongs to ${ownerName(stats.uid)}, not to you; using it`);
  return true;
}

function modeText(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, "0");
}

/** "alice (uid 1000)", or "uid 1000" when /etc/passwd does not name it. */
function ownerName(uid: number): string {
  try {
    const passwd = readSettingsFile("/etc/passwd");
    if (passwd.kind === "read") {
      for (const line of passwd.text.split("\n")) {
        const [name, , id] = line.split(":");
        if (name && id === String(uid)) return `${name} (uid ${uid})`;
      }
    }
  } catch {
    // unreadable: the number alone still says it is someone else
  }
  return `uid ${uid}`;
}
