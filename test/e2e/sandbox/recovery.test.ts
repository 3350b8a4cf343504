import { afterEach, describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { sandboxRequest, startSandbox, submitFiles, waitForBuild, type TestSandbox } from "../../helpers/sandbox.js";
import { eventually } from "../../helpers/build-procs.js";

const base = "/projects/demo/services/web";
const started: TestSandbox[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((sb) => sb.stop()));
});

async function sandbox(dataDir?: string): Promise<TestSandbox> {
  const sb = await startSandbox({ dataDir });
  started.push(sb);
  return sb;
}

describe("sandbox recovery after kill -9", () => {
  it("removes partial uploads and half-written state files, and drops deployments of builds never saved", async () => {
    const sb = await sandbox();
    const done = await submitFiles(sb, { "build.sh": "echo ok\n" });
    await waitForBuild(sb, done.id);
    const artifactsBefore = readdirSync(join(sb.dataDir, "artifacts"));

    // An upload cut short by the crash: half its declared body sent, then the sandbox dies.
    const url = new URL(`${sb.endpoint}${base}/artifacts`);
    const req = request(url, {
      method: "POST",
      headers: { Authorization: `Bearer ${sb.token}`, "Content-Type": "application/octet-stream", "Content-Length": String(1024 * 1024) },
    });
    req.on("error", () => {});
    req.write(Buffer.alloc(256 * 1024, 1));
    expect(await eventually(() => readdirSync(join(sb.dataDir, "artifacts")).length > artifactsBefore.length, 10_000)).toBe(true);
    await sb.kill();
    req.destroy();

    // What a crash between the two writes of a submission leaves: a deployment whose build
    // file was never written; and a state file's temporary that was never renamed.
    const deploysFile = join(sb.dataDir, "deploys", "demo.web.json");
    const deploys = JSON.parse(readFileSync(deploysFile, "utf8"));
    const orphan = { ...deploys[0], version: deploys[0].version, build: "0b5e55ed-0000-4000-8000-000000000000", status: "pending", error: "" };
    writeFileSync(deploysFile, JSON.stringify([orphan, ...deploys]));
    writeFileSync(join(sb.dataDir, "builds", "half.json.0123456789ab.tmp"), "{");

    const again = await sandbox(sb.dataDir);
    expect(readdirSync(join(sb.dataDir, "artifacts")).sort()).toEqual(artifactsBefore.sort());
    expect(existsSync(join(sb.dataDir, "builds", "half.json.0123456789ab.tmp"))).toBe(false);
    const listed = (await sandboxRequest(again, "GET", `${base}/deploys`)).json as { build: string }[];
    expect(listed.map((d) => d.build)).toEqual([done.id]);
    expect(JSON.parse(readFileSync(deploysFile, "utf8")).map((d: { build: string }) => d.build)).toEqual([done.id]);
    expect(again.stderr()).toMatch(/removed 1 unfinished upload/);
    expect(again.stderr()).toMatch(/dropped 1 deployment of builds that were never saved/);
  });
});
