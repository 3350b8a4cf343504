import { readFileSync, rmSync } from "node:fs";
import { valar } from "../helpers/run-in-process.js";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runValar, tempDir } from "../helpers/cli.js";
import { json, type FaultServer } from "../helpers/fault-server.js";
import { BUILDS_PATH, build, envFor, startBuildsServer } from "../helpers/builds-fixtures.js";
import { sandboxRequest, startSandbox, submitFiles, waitForBuild, type TestSandbox } from "../helpers/sandbox.js";

const DEPLOYS_PATH = BUILDS_PATH.replace(/builds$/, "deploys");
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("deploys create/rollback -w against the sandbox", () => {
  let sb: TestSandbox;
  let built: string;
  beforeAll(async () => {
    sb = await startSandbox();
    const b = await submitFiles(sb, { "build.sh": "echo hi\n" }, { service: "w" });
    await waitForBuild(sb, b.id, { service: "w" });
    built = b.id;
  }, 60_000);
  afterAll(async () => {
    await sb?.stop();
  });

  it("create -w waits until the new deployment is live: exit 0; GITHUB_OUTPUT names it", async () => {
    const out = join(tempDir("valar-gh-"), "output");
    dirs.push(out);
    const r = await runValar(["deploys", "create", built, "-w"], { env: sb.env({ VALAR_SERVICE: "w", GITHUB_OUTPUT: out }) });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("2");
    expect(r.stderr).toBe(`ok created deployment v2 of build ${built}; it is pending\nok deployment v2 live`);
    expect(readFileSync(out, "utf8")).toBe(`build-id=${built}\nstatus=done\ndeployment=2\n`);
  });

  it("rollback -w --json: NDJSON deployment events and a result with the deployed build", async () => {
    const r = await runValar(["deploys", "rollback", "1", "-w", "--json"], { env: sb.env({ VALAR_SERVICE: "w" }) });
    expect(r.exitCode).toBe(0);
    const events = r.stdout.split("\n").map((l) => JSON.parse(l));
    expect(events.map((e) => `${e.event}:${e.status}`)).toEqual(["deployment:pending", "deployment:done", "result:done"]);
    expect(events.at(-1)).toMatchObject({ build: built, exitCode: 0, deployment: { version: 3, status: "done", build: built } });
  });

  it("rollback to a version that failed: no HTTP code, a hint naming the versions that can be rolled back to", async () => {
    const bad = await submitFiles(sb, { "build.sh": "exit 1\n" }, { service: "w" });
    await waitForBuild(sb, bad.id, { service: "w" });
    const list = await sandboxRequest(sb, "GET", "/projects/demo/services/w/deploys");
    const failed = list.json.find((d: { build: string }) => d.build === bad.id);
    expect(failed.status).toBe("failed");
    const r = await runValar(["deploys", "rollback", String(failed.version)], { env: sb.env({ VALAR_SERVICE: "w" }) });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      `error: deployment v${failed.version} has failed: only a deployment that went live can be rolled back to\nhint: versions that can be rolled back to: v3, v2, v1`,
    );
    const hinted = await runValar(["deploys", "rollback", "v2"], { env: sb.env({ VALAR_SERVICE: "w" }) });
    expect(hinted.exitCode).toBe(0);
  });

  it("--timeout without -w is a usage error", async () => {
    const r = await runValar(["deploys", "create", built, "--timeout", "1m"], { env: sb.env({ VALAR_SERVICE: "w" }) });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("error: --timeout needs -w/--wait");
  });
});

describe("deployment waits against a fault server", () => {
  let server: FaultServer;
  const done = build("d0e1f2a3-0000-4000-8000-000000000001", "done", 5);
  const deploy = (status: string, error = "") => ({ version: 7, status, build: done.id, error, createdAt: new Date().toISOString() });
  beforeAll(async () => {
    server = await startBuildsServer([done]);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("create -w of a deployment that fails: exit 3 naming it and its error", async () => {
    server.on(`POST ${DEPLOYS_PATH}`, (_req, res) => json(res, 200, deploy("pending")));
    server.on(`GET ${DEPLOYS_PATH}`, (_req, res, _b, n) => json(res, 200, [n < 2 ? deploy("pending") : deploy("failed", "health check failed")]));
    // In process: the fake clock runs the polls without waiting.
    const r = await valar(["deploys", "create", "d0e1", "-w"], { env: envFor(server) });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/^FAILED deployment v7 failed: health check failed$/m);
  });

  it("create -w --timeout --json: a deployment that stays pending ends in 124 and a result event with the error", async () => {
    server.on(`POST ${DEPLOYS_PATH}`, (_req, res) => json(res, 200, deploy("pending")));
    server.on(`GET ${DEPLOYS_PATH}`, (_req, res) => json(res, 200, [deploy("pending")]));
    const r = await valar(["deploys", "create", "d0e1", "-w", "--timeout", "1s", "--json"], { env: envFor(server) });
    expect(r.exitCode).toBe(124);
    const result = JSON.parse(r.stdout.split("\n").at(-1)!);
    expect(result).toMatchObject({ event: "result", build: done.id, exitCode: 124, deployment: { version: 7, status: "pending" } });
    expect(result.error).toBe("stopped waiting after 1s; deployment v7 goes on");
    expect(r.stderr).not.toContain("error:");
  });

  it("watch of a done build whose deployment fails: exit 3, the summary names the deployment", async () => {
    server.on(`GET ${DEPLOYS_PATH}`, (_req, res, _b, n) => json(res, 200, [n < 3 ? deploy("pending") : deploy("failed", "crashed on start")]));
    const r = await valar(["builds", "watch", "d0e1"], { env: envFor(server) });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/^FAILED build d0e1f2a3 done.*, but deployment v7 failed: crashed on start$/m);
  });
});
