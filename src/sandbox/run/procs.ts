import { readdirSync, readFileSync } from "node:fs";

/** Sends a signal to a whole process group; a group already gone is fine. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone
  }
}

/** When a process started (Linux: /proc/PID/stat field 22), to tell it from a later one with the same pid. */
export function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count from its end.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/**
 * Kills a process group a crashed sandbox recorded. Its leader may be gone while members
 * live on; the kernel does not hand out a pid still in use as a group ID, so the group is
 * ours unless a new process with that pid leads it now (another start time).
 */
export function killRecordedGroup(group: { pid: number; startTime?: string }): void {
  const now = startTimeOf(group.pid);
  if (now !== undefined && group.startTime !== undefined && now !== group.startTime) return;
  signalGroup(group.pid, "SIGKILL");
}

/**
 * Kills every process whose environment carries VALAR_BUILD_ID=id (Linux only): what a
 * build left running outside its process group (setsid, daemons) when no namespace holds
 * it. Returns how many were signalled.
 */
export function killByBuildId(id: string): number {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((n) => /^\d+$/.test(n));
  } catch {
    return 0;
  }
  const marker = Buffer.from(`\0VALAR_BUILD_ID=${id}\0`);
  let killed = 0;
  for (const pid of pids) {
    let environ: Buffer;
    try {
      environ = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${pid}/environ`)]);
    } catch {
      continue; // gone, or not ours to read
    }
    if (Number(pid) === process.pid || environ.indexOf(marker) < 0) continue;
    try {
      process.kill(Number(pid), "SIGKILL");
      killed++;
    } catch {
      // gone meanwhile
    }
  }
  return killed;
}
