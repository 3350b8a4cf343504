import { afterEach, describe, expect, it } from "vitest";
import { execa } from "execa";
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../helpers/cli.js";
import { sandboxRequest, startSandbox, type TestSandbox } from "../../helpers/sandbox.js";

const started: TestSandbox[] = [];
const cleanup: (() => void)[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((sb) => sb.stop()));
  for (const undo of cleanup.splice(0)) undo();
});

/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = execa("true");
  await child;
  return child.pid!;
}

/** The pid of a zombie: its parent (`sleep 30`, after exec) never reaps it. */
async function zombiePid(): Promise<number> {
  const parent = execa("sh", ["-c", "sleep 0.1 & echo $!; exec sleep 30"], { reject: false, buffer: false });
  cleanup.push(() => parent.kill("SIGKILL"));
  const pid = await new Promise<number>((resolve) => parent.stdout.once("data", (d: Buffer) => resolve(Number(String(d).trim()))));
  await new Promise((r) => setTimeout(r, 500));
  return pid;
}

describe("sandbox: a stale lock is taken over by one sandbox only", () => {
  it("8 sandboxes started at once on a data dir whose sandbox.pid names a dead pid: one serves, 7 exit 1", async () => {
    const dataDir = tempDir("valar-lock-");
    symlinkSync(String(await deadPid()), join(dataDir, "sandbox.pid"));
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => startSandbox({ dataDir })));
    const winners = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    started.push(...winners);
    expect(winners).toHaveLength(1);
    for (const r of results) {
      if (r.status === "rejected") expect(String(r.reason)).toMatch(/exited early \(code 1\)[\s\S]*error: another sandbox (\(pid \d+\) )?is using /);
    }
    expect((await sandboxRequest(winners[0]!, "GET", "/users/info")).status).toBe(200);
  }, 60_000);

  it("a zombie pid in sandbox.pid counts as dead", async () => {
    const dataDir = tempDir("valar-lock-");
    symlinkSync(String(await zombiePid()), join(dataDir, "sandbox.pid"));
    const sb = await startSandbox({ dataDir });
    started.push(sb);
    expect((await sandboxRequest(sb, "GET", "/users/info")).status).toBe(200);
  });
});
