import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Host pids of the processes whose environment holds KEY=VALUE (Linux /proc). A build in
 * a PID namespace prints pids of its own namespace, so tests find its processes by a
 * marker variable passed in the build's environment instead.
 */
export function pidsWithEnv(key: string, value: string): number[] {
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
