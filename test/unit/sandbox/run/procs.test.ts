import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { killByBuildId, killRecordedGroup, startTimeOf } from "../../../../src/sandbox/run/procs.js";

const linux = process.platform === "linux";

function exited(child: ReturnType<typeof spawn>): Promise<NodeJS.Signals | null> {
  return new Promise((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
}

describe.runIf(linux)("process helpers", () => {
  it("kills a recorded group only while its leader is the process that was recorded", async () => {
    const child = spawn("sleep", ["30"], { detached: true, stdio: "ignore" });
    const done = exited(child);
    const startTime = startTimeOf(child.pid!);
    expect(startTime).toMatch(/^\d+$/);
    killRecordedGroup({ pid: child.pid!, startTime: String(Number(startTime) + 1) }); // a reused pid: left alone
    expect(startTimeOf(child.pid!)).toBe(startTime);
    killRecordedGroup({ pid: child.pid!, startTime });
    expect(await done).toBe("SIGKILL");
  });

  it("finds a build's processes by VALAR_BUILD_ID, even outside its process group", async () => {
    const id = `unit-${process.pid}-${Date.now()}`;
    const child = spawn("sleep", ["30"], { detached: true, stdio: "ignore", env: { ...process.env, VALAR_BUILD_ID: id } });
    const done = exited(child);
    // Until exec has replaced the forked child's environment with the one given.
    while (!readFileSync(`/proc/${child.pid}/environ`, "utf8").includes(`VALAR_BUILD_ID=${id}`)) await new Promise((r) => setTimeout(r, 10));
    expect(killByBuildId(id)).toBe(1);
    expect(await done).toBe("SIGKILL");
    expect(killByBuildId(id)).toBe(0);
  });
});
