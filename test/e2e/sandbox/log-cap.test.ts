import { afterAll, afterEach, describe, expect, it } from "vitest";
import { execa } from "execa";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../helpers/cli.js";
import { sandboxRequest, startSandbox, submitFiles, waitForBuild, type TestSandbox } from "../../helpers/sandbox.js";
import { closeGates, eventually, gate, waitForLog } from "../../helpers/build-procs.js";

const base = "/projects/demo/services/web";
const isRoot = process.getuid?.() === 0;
const started: TestSandbox[] = [];
const mounted: string[] = [];
afterEach(async () => {
  closeGates();
  await Promise.all(started.splice(0).map((sb) => sb.stop()));
});
afterAll(async () => {
  for (const dir of mounted) await execa("umount", ["-l", dir], { reject: false });
});

const CAPPED = "the build's log reached the 256 KiB limit (--max-log-size): its output was cut there";
/** A build that waits for its gate, then writes without end. */
const LOUD = { "build.sh": 'echo waiting\nfor i in $(seq 1 300); do [ -f "$GATE" ] && break; sleep 0.05; done\nyes a-line-of-build-output\n' };

describe("sandbox: a per-build log cap", () => {
  it("ends a build that writes without end as failed, saying so, and keeps its log within the cap", async () => {
    const sb = await startSandbox({ args: ["--max-log-size", "256K"] });
    started.push(sb);
    const sub = await submitFiles(sb, { "build.sh": "yes a-line-of-build-output\n" });
    expect(await waitForBuild(sb, sub.id)).toMatchObject({ status: "failed", error: CAPPED });
    const size = statSync(join(sb.dataDir, "logs", `${sub.id}.log`)).size;
    expect(size).toBeLessThan(256 * 1024 + 4096);
    const log = (await sandboxRequest(sb, "GET", `${base}/builds/${sub.id}/logs`)).text;
    expect(
      log
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l).content),
    ).toContain(`build failed: ${CAPPED}`);
    // The sandbox goes on building.
    const next = await submitFiles(sb, { "build.sh": "echo fine\n" });
    expect((await waitForBuild(sb, next.id)).status).toBe("done");
  });

  it("a final state that cannot be written (a full disk) is written once space allows, and a restart before that still knows why", async (ctx) => {
    if (!isRoot) return ctx.skip("needs root to mount a tmpfs with few inodes: the full-disk case is not checked here");
    const dataDir = tempDir("valar-inodes-");
    await execa("mount", ["-t", "tmpfs", "-o", "size=20m,nr_inodes=300,mode=700", "tmpfs", dataDir]);
    mounted.push(dataDir);
    const sb = await startSandbox({ dataDir, args: ["--max-log-size", "256K"] });
    started.push(sb);
    const stateOnDisk = (id: string) => JSON.parse(readFileSync(join(dataDir, "builds", `${id}.json`), "utf8"));

    /** Runs a LOUD build with no inode left for its state file; returns its ID once it failed in memory. */
    const cappedWithDiskFull = async (): Promise<string> => {
      const g = gate();
      const sub = await submitFiles(sb, LOUD, { environment: g.env });
      await waitForLog(sb, sub.id, /waiting/);
      fillInodes(dataDir);
      g.open();
      expect(await waitForBuild(sb, sub.id)).toMatchObject({ status: "failed", error: CAPPED });
      expect(stateOnDisk(sub.id).status).toBe("running");
      return sub.id;
    };

    const first = await cappedWithDiskFull();
    rmSync(join(dataDir, "filler"), { recursive: true });
    expect(await eventually(() => stateOnDisk(first).status === "failed", 10_000)).toBe(true);
    expect(stateOnDisk(first).error).toBe(CAPPED);

    const second = await cappedWithDiskFull();
    await sb.kill();
    rmSync(join(dataDir, "filler"), { recursive: true });
    const again = await startSandbox({ dataDir });
    started.push(again);
    expect(await waitForBuild(again, second)).toMatchObject({ status: "failed", error: CAPPED });
  }, 60_000);
});

/** Takes every inode left on the file system (a directory of empty files). */
function fillInodes(dir: string): void {
  mkdirSync(join(dir, "filler"));
  try {
    for (let i = 0; ; i++) writeFileSync(join(dir, "filler", String(i)), "");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
  }
}
