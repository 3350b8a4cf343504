import { spawnSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, delimiter, dirname, isAbsolute, join, relative, sep } from "node:path";
import { findOnPath } from "./constructors.js";

/**
 * How a build's processes are held together, best first:
 * - `bwrap`: bubblewrap — a PID namespace (everything dies with the build, and with the
 *   sandbox even after `kill -9`), a read-only system, only the build's own directory
 *   writable, the data dir, the other builds and the rest of the file system not there.
 * - `namespace`: `unshare` — a PID namespace (everything dies with the build) and a mount
 *   namespace in which the data dir and the other builds' directories are hidden.
 * - `group`: a process group, plus a sweep for processes still carrying the build's ID
 *   in their environment: a process that leaves the group and clears its environment escapes.
 */
export type ContainmentMode = "bwrap" | "namespace" | "group";
export const CONTAINMENT_CHOICES = ["auto", "bwrap", "namespace", "group"] as const;
export type ContainmentChoice = (typeof CONTAINMENT_CHOICES)[number];

/** The containment asked for cannot work here (no bwrap, no namespaces allowed). */
export class ContainmentUnavailableError extends Error {
  override name = "ContainmentUnavailableError";
}

/** Where one build lives, outside the data dir. */
export interface BuildDirs {
  /** The build's own directory: src, home and tmp below it. */
  root: string;
  /** The unpacked artifact: the build's working directory. */
  src: string;
  home: string;
  tmp: string;
}

export interface Containment {
  mode: ContainmentMode;
  /** The command line that runs one step of a build, contained. */
  command(tool: string, args: string[], dirs: BuildDirs, env: NodeJS.ProcessEnv): { file: string; args: string[] };
}

export interface ContainmentPaths {
  dataDir: string;
  workRoot: string;
}

/** Picks the mode (the best that works here for `auto`); throws when a named mode does not work. */
export function chooseContainment(choice: ContainmentChoice, paths: ContainmentPaths): Containment {
  const candidates: ContainmentMode[] = choice === "auto" ? ["bwrap", "namespace", "group"] : [choice];
  for (const mode of candidates) {
    const containment = makeContainment(mode, paths);
    if (containment) return containment;
  }
  throw new ContainmentUnavailableError(`build isolation "${choice}" does not work on this machine`);
}

function makeContainment(mode: ContainmentMode, paths: ContainmentPaths): Containment | undefined {
  if (mode === "group") return { mode, command: (tool, args) => ({ file: tool, args }) };
  if (mode === "bwrap") {
    if (!findOnPath("bwrap", process.env.PATH)) return undefined;
    const make = (p: ContainmentPaths): Containment => ({
      mode,
      command: (tool, args, dirs, env) => ({ file: "bwrap", args: [...bwrapArgs(dirs, env, p), ...socketsFor(tool), "--", tool, ...args] }),
    });
    return works(make) ? make(paths) : undefined;
  }
  if (!findOnPath("unshare", process.env.PATH)) return undefined;
  // Root may make namespaces outright; anyone else needs a user namespace to hold them.
  for (const userns of [[], ["--user", "--map-root-user"]]) {
    const make = (p: ContainmentPaths): Containment => ({
      mode,
      command: (tool, args, dirs) => ({
        file: "unshare",
        args: [...userns, "--mount", "--propagation", "private", "--pid", "--fork", "--kill-child", "--mount-proc", "--", "sh", "-c", HIDE_SCRIPT, "sh", p.dataDir, p.workRoot, dirs.root, dirs.src, tool, ...args],
      }),
    });
    if (works(make)) return make(paths);
  }
  return undefined;
}

/**
 * Runs inside the new mount namespace: the data dir becomes an empty tmpfs, the build's
 * directory is parked there while a tmpfs covers the work root (the other builds), then
 * put back at its own path. Any failure stops the step before the build's code runs.
 */
const HIDE_SCRIPT = [
  "set -e",
  'data=$1 work=$2 own=$3 src=$4; shift 4',
  'mount -t tmpfs -o mode=700 valar-hidden "$data"',
  'mkdir "$data/own"',
  'mount --bind "$own" "$data/own"',
  'mount -t tmpfs -o mode=700 valar-hidden "$work"',
  'mkdir -p "$own"',
  'mount --move "$data/own" "$own"',
  'cd "$src"',
  'exec "$@"',
].join("\n");

/**
 * Whether a containment really runs a command here: a probe at start-up, with the same
 * wrapper and mounts as a build, on throw-away directories.
 */
function works(make: (paths: ContainmentPaths) => Containment): boolean {
  const base = mkdtempSync(join(tmpdir(), "valar-probe-"));
  try {
    const paths = { dataDir: join(base, "data"), workRoot: join(base, "work") };
    const root = join(paths.workRoot, "own");
    const dirs: BuildDirs = { root, src: join(root, "src"), home: join(root, "home"), tmp: join(root, "tmp") };
    for (const dir of [paths.dataDir, dirs.src, dirs.home, dirs.tmp]) mkdirSync(dir, { recursive: true });
    const { file, args } = make(paths).command("true", [], dirs, process.env);
    return spawnSync(file, args, { cwd: dirs.src, stdio: "ignore", timeout: 10_000 }).status === 0;
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

/** Directories of a Linux system that a build may read (and nothing else of the host). */
const SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt", "/nix", "/run/systemd/resolve"];

function bwrapArgs(dirs: BuildDirs, env: NodeJS.ProcessEnv, paths: ContainmentPaths): string[] {
  const args = ["--die-with-parent", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"];
  const shown: string[] = [];
  for (const dir of SYSTEM_DIRS) {
    const kind = kindOf(dir);
    if (kind === "link") args.push("--symlink", readlinkSync(dir), dir);
    else if (kind === "dir") {
      args.push("--ro-bind", dir, dir);
      shown.push(dir);
    }
  }
  // Toolchains installed per user (nvm, pyenv, cargo, go) are read-only too: the prefix
  // of each PATH entry, never the home directory itself or anything above it.
  for (const entry of (env.PATH ?? "").split(delimiter)) {
    if (!isAbsolute(entry) || shown.some((d) => within(entry, d)) || kindOf(entry) !== "dir") continue;
    const prefix = ["bin", "sbin", "shims"].includes(basename(entry)) ? dirname(entry) : entry;
    const home = process.env.HOME ?? "";
    const dir = prefix === "/" || (home && within(home, prefix)) ? entry : prefix;
    if (shown.some((d) => within(dir, d))) continue;
    args.push("--ro-bind", dir, dir);
    shown.push(dir);
  }
  // Whatever of the data dir a toolchain prefix happened to cover is hidden again.
  for (const secret of [paths.dataDir, paths.workRoot]) {
    if (shown.some((d) => within(secret, d))) args.push("--tmpfs", secret);
  }
  args.push("--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--bind", dirs.root, dirs.root, "--chdir", dirs.src);
  return args;
}

/**
 * The docker constructor talks to the host's engine through its socket: its steps (and
 * only they) get it — which is full control of that engine, as with Docker anywhere.
 */
function socketsFor(tool: string): string[] {
  if (tool !== "docker") return [];
  return ["/run/docker.sock", "/var/run/docker.sock"].flatMap((s) => ["--bind-try", s, s]);
}

function kindOf(path: string): "dir" | "link" | "other" | undefined {
  try {
    const st = lstatSync(path);
    return st.isSymbolicLink() ? "link" : st.isDirectory() ? "dir" : "other";
  } catch {
    return undefined;
  }
}

/** Whether path is dir or below it. */
function within(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel) && !rel.startsWith(sep));
}
