import { afterAll, describe, expect, it } from "vitest";
import { execa } from "execa";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../helpers/cli.js";
import { packFiles, sandboxRequest, startSandbox, waitForBuild, type TestSandbox } from "../../helpers/sandbox.js";

const base = "/projects/demo/services/web";
const isRoot = process.getuid?.() === 0;
const mounted: string[] = [];
const started: TestSandbox[] = [];

afterAll(async () => {
  await Promise.all(started.splice(0).map((sb) => sb.stop()));
  for (const dir of mounted) await execa("umount", ["-l", dir], { reject: false });
});

/** A real 20 MB tmpfs to hold the sandbox's data dir (needs root to mount). */
async function smallDisk(): Promise<string> {
  const dir = tempDir("valar-full-");
  await execa("mount", ["-t", "tmpfs", "-o", "size=20m,mode=700", "tmpfs", dir]);
  mounted.push(dir);
  return dir;
}

/** Fills what is left of the disk; returns the filler's path (remove it to free the space). */
function fill(dir: string): string {
  const path = join(dir, "filler");
  try {
    writeFileSync(path, Buffer.alloc(64 * 1024 * 1024));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
  }
  return path;
}

async function upload(sb: TestSandbox, files: Record<string, string>) {
  return sandboxRequest(sb, "POST", `${base}/artifacts`, { body: await packFiles(files) });
}

function submit(sb: TestSandbox, artifact: string) {
  return sandboxRequest(sb, "POST", `${base}/builds`, {
    body: { artifact, build: { constructor: "shell", environment: [] }, deployment: { skip: false } },
  });
}

describe("sandbox on a full disk", () => {
  it("fails the build that fills it, keeps serving, refuses uploads and submits cleanly, restarts on it", async (ctx) => {
    if (!isRoot) return ctx.skip("needs root to mount a small tmpfs: the full-disk case is not checked here");
    const dataDir = await smallDisk();
    const sb = await startSandbox({ dataDir });
    started.push(sb);
    const later = await upload(sb, { "build.sh": "echo after\n" });
    expect(later.status).toBe(200);

    // 400,000 lines of JSON entries are far more than 20 MB.
    const loud = await upload(sb, { "build.sh": "seq 1 400000 | sed 's/^/a line of build output, number /'\n" });
    const sub = await submit(sb, loud.json.artifact);
    expect(sub.status).toBe(200);
    const b = await waitForBuild(sb, sub.json.id, { timeoutMs: 120_000 });
    expect(b).toMatchObject({ status: "failed", error: "no space left on the sandbox's disk: the build log could not be written" });

    // The log is whole JSON lines, none cut or glued, and it says why the build failed.
    const log = (await sandboxRequest(sb, "GET", `${base}/builds/${sub.json.id}/logs`)).text;
    const entries = log
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(entries.filter((e) => e.source === "PROCESS").every((e) => /^a line of build output, number \d+$/.test(e.content))).toBe(true);
    expect(entries.map((e) => e.content)).toContain("build failed: no space left on the sandbox's disk: the build log could not be written");

    expect((await sandboxRequest(sb, "GET", "/")).status).toBe(200);
    const filler = fill(dataDir);
    const refused = await upload(sb, { "build.sh": "echo never\n" });
    expect(refused.status).toBe(507);
    expect(refused.json).toEqual({ error: "no space left on the sandbox's disk: try again once space is freed" });
    expect(readdirSync(join(dataDir, "artifacts")).filter((n) => !n.endsWith(".tar.gz"))).toEqual([]);

    const buildsBefore = (await sandboxRequest(sb, "GET", `${base}/builds`)).json;
    const deploysBefore = (await sandboxRequest(sb, "GET", `${base}/deploys`)).json;
    const noRoom = await submit(sb, later.json.artifact);
    expect(noRoom.status).toBe(507);
    expect((await sandboxRequest(sb, "GET", `${base}/builds`)).json).toEqual(buildsBefore);
    expect((await sandboxRequest(sb, "GET", `${base}/deploys`)).json).toEqual(deploysBefore);

    // A sandbox that must write its first token there exits with one line naming the file.
    const fresh = join(dataDir, "fresh");
    const err = await startSandbox({ dataDir: fresh }).then(
      () => "it did not fail",
      (e: Error) => e.message,
    );
    expect(String(err)).toMatch(/exited early \(code 1\)/);
    const stderr = String(err).split("stderr: ")[1]!;
    expect(stderr).toMatch(new RegExp(`^error: no space left on the disk: cannot write ${fresh}/token\n`));
    expect(stderr).not.toMatch(/\bat .*\.js/);

    // Restarting on the full disk works (the lock needs no data block).
    expect(await sb.stop()).toBe(0);
    const again = await startSandbox({ dataDir });
    started.push(again);
    expect((await sandboxRequest(again, "GET", `${base}/builds`)).json).toEqual(buildsBefore);
    expect((await sandboxRequest(again, "GET", `${base}/deploys`)).json).toEqual(deploysBefore);

    rmSync(filler);
    const ok = await submit(again, later.json.artifact);
    expect(ok.status).toBe(200);
    expect((await waitForBuild(again, ok.json.id)).status).toBe("done");
  }, 180_000);
});
