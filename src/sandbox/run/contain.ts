import { spawnSync } from "node:child_process";
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  lstatSync,
  openSync,
  mkdirSync,
  mkdtempSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { lchown, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, delimiter, dirname, isAbsolute, join, relative, sep } from "node:path";
import { findOnPath } from "./constructors.js";
import { BUILD_DNS } from "./network.js";

/**
 * How a build's processes are held together, best first:
 * - `bwrap`: bubblewrap — a PID namespace (everything dies with the build, and with the
 *   sandbox even after `kill -9`), a read-only system, only the build's own directory
 *   writable, the data dir, the other builds and the rest of the file system not there.
 * - `namespace`: `unshare` — a PID namespace (everything dies with the build) and a mount
 *   namespace in which the data dir and the other builds' directories are hidden.
 * - `group`: a process group, plus a sweep for processes still carrying the build's ID
 *   in their environment: a process that leaves the group and clears its environment escapes.
 * In `bwrap` and `namespace` the build runs in a user namespace of its own with no
 * capabilities, and (with slirp4netns) in a network namespace of its own.
 */
export type ContainmentMode = "bwrap" | "namespace" | "group";
export const CONTAINMENT_CHOICES = ["auto", "bwrap", "namespace", "group"] as const;
export type ContainmentChoice = (typeof CONTAINMENT_CHOICES)[number];

/** The containment asked for cannot work here (no bwrap, no namespaces allowed, or root). */
class ContainmentUnavailableError extends Error {
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

/** How to start one step of a build. */
interface ContainedCommand {
  /** An absolute path, resolved when the sandbox started (never on the build's PATH). */
  file: string;
  args: string[];
  /** The environment of the host-side process: the sandbox's own, never the build's. */
  env: NodeJS.ProcessEnv;
  /**
   * Written to the child's fd 3 and closed: the build's environment and command, set only
   * inside the namespaces (and out of sight of `ps`). Absent in `group` mode.
   */
  setup?: Buffer;
  /**
   * Set when the build gets a network of its own: the wrapper reports on fd 4 once the
   * namespaces are ready and waits for a byte on fd 5 before the build starts; bwrap
   * names the namespaces' first process on fd 6 (network.ts).
   */
  network?: { slirp4netns: string; pidOnFd6: boolean };
}

export interface Containment {
  mode: ContainmentMode;
  /** Builds have a network of their own: the sandbox's API is out of their reach. */
  ownNetwork: boolean;
  command(tool: string, args: string[], dirs: BuildDirs, env: NodeJS.ProcessEnv): ContainedCommand;
  /**
   * Runs once, after the artifact is unpacked and before any of the build's code: as root in
   * `namespace` mode, the build's directory is handed to the uid the build runs as. Done
   * before a step runs, never after, so nothing a build made (a link) can redirect it.
   */
  prepare?(dirs: BuildDirs): Promise<void>;
}

export interface ContainmentPaths {
  dataDir: string;
  workRoot: string;
}

/** What the sandbox runs on the host, resolved once on its own PATH at start-up. */
interface HostTools {
  bwrap?: string;
  unshare?: string;
  bash?: string;
  env?: string;
  /** As root, what takes the build to an unprivileged host uid in `namespace` mode. */
  setpriv?: string;
  slirp4netns?: string;
  /** The wrapper's environment: the sandbox's own, without its settings (the token). */
  env0: NodeJS.ProcessEnv;
  /** Directories of the sandbox's PATH outside the system ones: toolchains a build may use. */
  toolchainDirs: string[];
}

function hostTools(): HostTools {
  const path = process.env.PATH;
  const find = (tool: string) => {
    const found = findOnPath(tool, path);
    return found && isAbsolute(found) ? found : undefined;
  };
  const env0: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("VALAR_")) env0[k] = v;
  return {
    bwrap: find("bwrap"),
    unshare: find("unshare"),
    bash: find("bash"),
    env: find("env"),
    setpriv: find("setpriv"),
    slirp4netns: canConnectNetworks() ? find("slirp4netns") : undefined,
    env0,
    toolchainDirs: (path ?? "").split(delimiter).filter((d) => isAbsolute(d)),
  };
}

const isRoot = () => process.getuid?.() === 0;

/**
 * Whether slirp4netns can give builds a network here: it needs the TUN device (containers
 * often leave it out), and to join the network namespace bwrap makes, root — another
 * user's bwrap puts it under a user namespace no other process can name.
 */
function canConnectNetworks(): boolean {
  if (!isRoot()) return false;
  try {
    accessSync("/dev/net/tun", constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Who a build is in `namespace` mode: as root, nobody (65534) on the host itself — a uid
 * mapped to root, even without capabilities, still owns and may write the host's system
 * files; otherwise the user's own IDs, in a nested user namespace.
 */
function insideIds(): { uid: number; gid: number } {
  if (isRoot() || process.getuid === undefined) return { uid: 65534, gid: 65534 };
  return { uid: process.getuid(), gid: process.getgid!() };
}

/** Picks the mode (the best that works here for `auto`); throws when a named mode does not work. */
export function chooseContainment(choice: ContainmentChoice, paths: ContainmentPaths): Containment {
  // A process group holds no capability back: root's builds would keep every one.
  if (choice === "group" && isRoot()) {
    throw new ContainmentUnavailableError(
      `build isolation "group" cannot take root's capabilities from builds: use --isolation bwrap or namespace, or run the sandbox as another user`,
    );
  }
  const tools = hostTools();
  const candidates: ContainmentMode[] = choice === "auto" ? (isRoot() ? ["bwrap", "namespace"] : ["bwrap", "namespace", "group"]) : [choice];
  for (const mode of candidates) {
    const containment = makeContainment(mode, paths, tools);
    if (containment) return containment;
  }
  const asRoot =
    isRoot() && choice === "auto" ? " as root (group isolation would leave builds root's capabilities): install bubblewrap or allow namespaces" : "";
  throw new ContainmentUnavailableError(`build isolation "${choice}" does not work on this machine${asRoot}`);
}

/** What the sandbox says at start-up about what its builds can reach. */
export function containmentNotes(c: Containment): string[] {
  const notes: string[] = [];
  if (c.ownNetwork) notes.push("builds have a network of their own (slirp4netns): outbound access, no way to the sandbox's API");
  else if (c.mode === "group") notes.push("warning: group isolation: builds share this machine's network and can connect to the sandbox's API");
  else
    notes.push(
      "warning: builds share this machine's network and can connect to the sandbox's API (a network of their own needs slirp4netns, /dev/net/tun and a sandbox running as root)",
    );
  if (DOCKER_SOCKETS.some((s) => existsSync(s)))
    notes.push("note: docker builds get the Docker socket: through the engine they can reach this machine, the sandbox's API included");
  return notes;
}

type Maker = (paths: ContainmentPaths, attach: boolean) => Containment;

function makeContainment(mode: ContainmentMode, paths: ContainmentPaths, tools: HostTools): Containment | undefined {
  if (mode === "group") {
    return { mode, ownNetwork: false, command: (tool, args, _dirs, env) => ({ file: tool, args, env }) };
  }
  const slirp4netns = tools.slirp4netns;
  const net = slirp4netns !== undefined;
  const network = (attach: boolean, pidOnFd6: boolean) => (slirp4netns && attach ? { slirp4netns, pidOnFd6 } : undefined);
  if (mode === "bwrap") {
    const bwrap = tools.bwrap;
    if (!bwrap || (net && !tools.bash)) return undefined;
    const make: Maker = (p, attach) => ({
      mode,
      ownNetwork: net,
      command: (tool, args, dirs, env) => ({
        file: bwrap,
        // bwrap takes options from fd 3, but the command only from its own command line.
        args: ["--args", "3", "--", ...(net && attach ? [tools.bash!, "-c", READY_SCRIPT, "bash"] : []), tool, ...args],
        env: tools.env0,
        setup: nulSeparated([...bwrapArgs(dirs, env, p, tools, net, attach), ...socketsFor(tool)]),
        network: network(attach, true),
      }),
    });
    return works(make) ? make(paths, true) : undefined;
  }
  const { unshare, bash, env: envTool } = tools;
  if (!unshare || !bash || !envTool) return undefined;
  // As root the build leaves for a real unprivileged uid (setpriv), not a mapped one.
  const setpriv = isRoot() ? tools.setpriv : "";
  if (setpriv === undefined) return undefined;
  const { uid, gid } = insideIds();
  // Root may make namespaces outright; anyone else needs a user namespace to hold them.
  for (const userns of isRoot() ? [[], ["--user", "--map-root-user"]] : [["--user", "--map-root-user"]]) {
    const make: Maker = (p, attach) => ({
      mode,
      ownNetwork: net,
      prepare: setpriv ? (dirs) => chownTree(dirs.root, uid, gid) : undefined,
      command: (tool, args, dirs, env) => {
        if (net) writeResolvConf(dirs);
        const wrapper = [
          ...userns,
          "--mount",
          "--propagation",
          "private",
          "--pid",
          "--fork",
          "--kill-child",
          "--mount-proc",
          ...(net ? ["--net"] : []),
        ];
        const script = [
          bash,
          "-c",
          HIDE_SCRIPT,
          "bash",
          p.dataDir,
          p.workRoot,
          dirs.root,
          dirs.src,
          net ? "1" : "",
          attach ? "1" : "",
          unshare,
          String(uid),
          String(gid),
          envTool,
          setpriv,
        ];
        return {
          file: unshare,
          args: [...wrapper, "--", ...script],
          env: tools.env0,
          setup: nulSeparated([...environmentList(env), tool, ...args]),
          network: network(attach, false),
        };
      },
    });
    if (works(make)) return make(paths, true);
  }
  return undefined;
}

/**
 * Runs first inside bwrap when the build gets a network: bwrap has set its namespaces up
 * (the loopback device too, which must be done before slirp4netns touches the network),
 * and the build waits until its network is connected.
 */
const READY_SCRIPT = 'echo ready >&4; read -r _ <&5; exec 4>&- 5<&-; exec "$@"';

/**
 * Runs inside the new mount namespace: the data dir becomes an empty tmpfs, the build's
 * directory is parked there while a tmpfs covers the work root (the other builds), then
 * put back at its own path. The build's environment and command come on fd 3. Then the
 * build runs as an unprivileged user — as root, nobody on the host (its directory handed
 * to it), else the user in a user namespace of its own: no capabilities, so none of
 * these mounts can be undone. Any failure stops the step before the build's code runs.
 */
const HIDE_SCRIPT = [
  "set -e",
  "data=$1 work=$2 own=$3 src=$4 net=$5 attach=$6 unshare=$7 uid=$8 gid=$9 envtool=${10} setpriv=${11}",
  "mapfile -d '' -u 3 cmd",
  "exec 3<&-",
  'if [ -n "$net" ] && [ -e /etc/resolv.conf ]; then mount --bind "$own/resolv.conf" /etc/resolv.conf; fi',
  'mount -t tmpfs -o mode=700 valar-hidden "$data"',
  'mkdir "$data/own"',
  'mount --bind "$own" "$data/own"',
  // Searchable, not listable: an unprivileged build must reach its own directory below it.
  'mount -t tmpfs -o mode=711 valar-hidden "$work"',
  'mkdir -p "$own"',
  'mount --move "$data/own" "$own"',
  'if [ -n "$attach" ]; then echo ready >&4; read -r _ <&5; exec 4>&- 5<&-; fi',
  'cd "$src"',
  'if [ -n "$setpriv" ]; then',
  '  exec "$setpriv" --reuid="$uid" --regid="$gid" --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs -- "$envtool" -i "${cmd[@]}"',
  "fi",
  'exec "$unshare" --user --map-user="$uid" --map-group="$gid" -- "$envtool" -i "${cmd[@]}"',
].join("\n");

/**
 * Whether a containment really runs a command here: a probe at start-up, with the same
 * wrapper, mounts and namespaces as a build, on throw-away directories (its network is
 * made but not connected).
 */
function works(make: Maker): boolean {
  const base = mkdtempSync(join(tmpdir(), "valar-probe-"));
  try {
    const paths = { dataDir: join(base, "data"), workRoot: join(base, "work") };
    const root = join(paths.workRoot, "own");
    const dirs: BuildDirs = { root, src: join(root, "src"), home: join(root, "home"), tmp: join(root, "tmp") };
    for (const dir of [paths.dataDir, dirs.src, dirs.home, dirs.tmp]) mkdirSync(dir, { recursive: true });
    const { file, args, env, setup } = make(paths, false).command("true", [], dirs, { PATH: "/usr/bin:/bin" });
    writeFileSync(join(base, "setup"), setup ?? "");
    const fd = openSync(join(base, "setup"), "r");
    try {
      return spawnSync(file, args, { cwd: dirs.src, env, stdio: ["ignore", "ignore", "ignore", fd], timeout: 10_000 }).status === 0;
    } finally {
      closeSync(fd);
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

/** Directories of a Linux system that a build may read (and nothing else of the host). */
const SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt", "/nix", "/run/systemd/resolve"];

function bwrapArgs(dirs: BuildDirs, env: NodeJS.ProcessEnv, paths: ContainmentPaths, tools: HostTools, net: boolean, attach: boolean): string[] {
  // The build keeps the user's IDs in its user namespace: slirp4netns (as root) cannot
  // join a network namespace whose user namespace maps root to another uid.
  const args = ["--die-with-parent", "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"];
  // Root's bwrap keeps the capabilities it is given unless told otherwise.
  if (isRoot()) args.push("--cap-drop", "ALL");
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
  // of each entry of the sandbox's own PATH (never the build's), never the home
  // directory itself or anything above it.
  for (const entry of tools.toolchainDirs) {
    if (shown.some((d) => within(entry, d)) || kindOf(entry) !== "dir") continue;
    const prefix = ["bin", "sbin", "shims"].includes(basename(entry)) ? dirname(entry) : entry;
    const home = tools.env0.HOME ?? "";
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
  if (net) {
    args.push("--unshare-net");
    if (existsSync("/etc/resolv.conf")) args.push("--ro-bind", writeResolvConf(dirs), "/etc/resolv.conf");
    if (attach) args.push("--info-fd", "6");
  }
  args.push("--clearenv");
  for (const [key, value] of Object.entries(env)) if (value !== undefined) args.push("--setenv", key, value);
  return args;
}

/**
 * The build's resolver is slirp4netns's DNS forwarder: a host resolver on loopback
 * (systemd-resolved, dnsmasq) is out of reach from the build's own network.
 */
/**
 * The build's /etc/resolv.conf, written before each step into its own directory, which an
 * earlier step could write too: whatever it left at that name (a link to a host file) is
 * removed, and the file is created anew, never opened through a link. No code of the build
 * runs between its steps.
 */
function writeResolvConf(dirs: BuildDirs): string {
  const path = join(dirs.root, "resolv.conf");
  rmSync(path, { force: true, recursive: true });
  writeFileSync(path, `nameserver ${BUILD_DNS}\n`, { mode: 0o644, flag: "wx" });
  return path;
}

function environmentList(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
}

function nulSeparated(parts: string[]): Buffer {
  return Buffer.from(parts.map((p) => `${p}\0`).join(""));
}

/**
 * The docker constructor talks to the host's engine through its socket: its steps (and
 * only they) get it — which is full control of that engine, as with Docker anywhere.
 */
function socketsFor(tool: string): string[] {
  if (tool !== "docker") return [];
  return DOCKER_SOCKETS.flatMap((s) => ["--bind-try", s, s]);
}

const DOCKER_SOCKETS = ["/run/docker.sock", "/var/run/docker.sock"];

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

/** The owner of dir and everything below it, links themselves (never what they point to). */
async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await lchown(dir, uid, gid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(path, uid, gid);
    else await lchown(path, uid, gid);
  }
}
