import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sandboxRequest, startSandbox, type TestSandbox } from "./sandbox.js";

/**
 * Host pids of the processes whose environment holds KEY=VALUE (Linux /proc). A build in
 * a PID namespace prints pids of its own namespace, so tests find its processes by a
 * marker variable passed in the build's environment instead.
 */
function pidsWithEnv(key: string, value: string): number[] {
  const marker = Buffer.from(`\0${key}=${value}\0`);
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const environ = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${name}/environ`)]);
      if (environ.indexOf(marker) >= 0 && !isZombie(Number(name))) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function isZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

/** A marker for one build's processes: pass env to the build, then ask pids(). */
export function processMarker(): { env: { key: string; value: string }; pids(): number[] } {
  const value = randomUUID();
  return { env: { key: "TEST_MARK", value }, pids: () => pidsWithEnv("TEST_MARK", value) };
}

const openGates: NodeJS.Timeout[] = [];

/**
 * A gate a build waits on (`[ -f "$GATE" ]` in its working directory). The build may see
 * nothing of the host's file system, so open() writes the file into the working
 * directory of each of its processes, as they appear, until closeGates().
 */
export function gate(): { env: { key: string; value: string }[]; open(): void } {
  const mark = processMarker();
  return {
    env: [{ key: "GATE", value: "gate-open" }, mark.env],
    open: () => {
      const tick = () => {
        for (const pid of mark.pids()) {
          try {
            writeFileSync(join(readlinkSync(`/proc/${pid}/cwd`), "gate-open"), "");
          } catch {
            // the build ended meanwhile
          }
        }
      };
      tick();
      const timer = setInterval(tick, 50);
      timer.unref();
      openGates.push(timer);
    },
  };
}

export function closeGates(): void {
  for (const timer of openGates.splice(0)) clearInterval(timer);
}

/** Polls check until it holds (true) or ms pass (false). */
export async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** The PROCESS lines (the build's own output) of a build's log (demo/web). */
export async function processLines(sb: Pick<TestSandbox, "endpoint" | "token">, id: string): Promise<string[]> {
  const log = (await sandboxRequest(sb, "GET", `/projects/demo/services/web/builds/${id}/logs`)).text;
  return log
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l))
    .filter((e) => e.source === "PROCESS")
    .map((e) => e.content);
}

/** Polls a build's log (demo/web) until it matches re; returns the match. */
export async function waitForLog(sb: Pick<TestSandbox, "endpoint" | "token">, id: string, re: RegExp): Promise<RegExpMatchArray> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const m = (await sandboxRequest(sb, "GET", `/projects/demo/services/web/builds/${id}/logs`)).text.match(re);
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`log of ${id} never matched ${re}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A sandbox with one --isolation mode (added to `started` for the test to stop), or
 * undefined when this machine does not allow that mode.
 */
export async function sandboxWithIsolation(mode: string, started: TestSandbox[], dataDir?: string): Promise<TestSandbox | undefined> {
  try {
    const sb = await startSandbox({ args: ["--isolation", mode], dataDir });
    started.push(sb);
    return sb;
  } catch (err) {
    // Group isolation refuses root (its builds would keep root's capabilities).
    if (/does not work on this machine|cannot take root's capabilities/.test((err as Error).message)) return undefined;
    throw err;
  }
}
