import { spawn, type ChildProcess } from "node:child_process";
import { readlinkSync } from "node:fs";
import type { Readable, Writable } from "node:stream";

/** slirp4netns's DNS forwarder, as seen from inside a build's network. */
export const BUILD_DNS = "10.0.2.3";

/** How long a build's network may take to come up before the step fails. */
const NETWORK_START_MS = 10_000;

class BuildNetworkError extends Error {}

/**
 * Gives a starting build (its wrapper waiting on fd 5, see contain.ts) outbound network
 * through slirp4netns, and lets it start. The build's network namespace has only its own
 * loopback and slirp's tap: the host's 127.0.0.1, where the sandbox's API listens, is not
 * there, and --disable-host-loopback keeps slirp's gateway from leading to it. Returns
 * the function that ends slirp4netns (it also ends when the sandbox dies: its exit fd
 * closes).
 */
export async function connectBuildNetwork(
  wrapper: ChildProcess,
  network: { slirp4netns: string; pidOnFd6: boolean },
  env: NodeJS.ProcessEnv,
): Promise<() => void> {
  const fds = wrapper.stdio as unknown as Readable[];
  // bwrap names the namespaces' first process (JSON); unshare holds them itself.
  const info = network.pidOnFd6 ? await readUntil(fds[6]!, wrapper, /"child-pid":\s*\d+\D/, "the build's namespaces were not made") : "";
  await readUntil(fds[4]!, wrapper, /\n/, "the build's namespaces were not made");
  const pid = Number(/"child-pid":\s*(\d+)/.exec(info)?.[1] ?? wrapper.pid);
  // Root (the only user contain.ts connects networks for) reaches the namespaces its descendants hold.
  const userns = process.getuid?.() === 0 || sameUserNamespace(pid) ? [] : [`--userns-path=/proc/${pid}/ns/user`];
  const args = [
    "--configure",
    "--mtu=65520",
    "--disable-host-loopback",
    "--enable-sandbox",
    "--enable-seccomp",
    "--ready-fd=3",
    "--exit-fd=4",
    ...userns,
    String(pid),
    "tap0",
  ];
  const slirp = spawn(network.slirp4netns, args, { env, stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] });
  let errors = "";
  slirp.stderr!.setEncoding("utf8").on("data", (s: string) => (errors = (errors + s).slice(-500)));
  const stop = () => {
    (slirp.stdio[4] as Writable | null)?.destroy();
    slirp.kill("SIGKILL");
  };
  try {
    await readUntil(slirp.stdio[3] as Readable, slirp, /./, "slirp4netns did not start");
  } catch (err) {
    stop();
    const said = errors.trim().split("\n").pop();
    throw new BuildNetworkError(`${(err as Error).message}${said ? `: ${said}` : ""}`);
  }
  (wrapper.stdio as unknown as Writable[])[5]!.end("go\n");
  return stop;
}

/** A stream's data up to what matches `enough`; rejects when the process exits first or time runs out. */
function readUntil(stream: Readable, proc: ChildProcess, enough: RegExp, failure: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => done(new BuildNetworkError(`${failure} within ${NETWORK_START_MS / 1000} s`)), NETWORK_START_MS);
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (enough.test(text)) done(undefined, text);
    };
    const onGone = () => done(new BuildNetworkError(failure));
    const done = (err?: Error, data?: string) => {
      clearTimeout(timer);
      stream.off("data", onData);
      stream.off("end", onGone);
      proc.off("exit", onGone);
      stream.pause();
      if (err) reject(err);
      else resolve(data!);
    };
    stream.on("data", onData);
    stream.once("end", onGone);
    proc.once("exit", onGone);
  });
}

function sameUserNamespace(pid: number): boolean {
  try {
    return readlinkSync("/proc/self/ns/user") === readlinkSync(`/proc/${pid}/ns/user`);
  } catch {
    return false;
  }
}
