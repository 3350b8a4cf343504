import { afterAll, afterEach, describe, expect, it } from "vitest";
import { request } from "node:http";
import { join } from "node:path";
import { sandboxRequest, startSandbox, submitFiles, waitForBuild, waitForDeploysSettled, type TestSandbox } from "../../helpers/sandbox.js";
import { closeGates, eventually, gate, processMarker, waitForLog } from "../../helpers/build-procs.js";

const base = "/projects/demo/services/web";

/** A build that prints its pid, waits (at most ~10 s) for the gate file, then finishes. */
const GATED = {
  "build.sh": ['echo "pid=$$"', 'for i in $(seq 1 200); do [ -f "$GATE" ] && break; sleep 0.05; done', "echo after-gate"].join("\n"),
};

async function logText(sb: TestSandbox, id: string): Promise<string> {
  return (await sandboxRequest(sb, "GET", `${base}/builds/${id}/logs`)).text;
}

const started: TestSandbox[] = [];
async function sandbox(opts: Parameters<typeof startSandbox>[0] = {}): Promise<TestSandbox> {
  const sb = await startSandbox(opts);
  started.push(sb);
  return sb;
}
afterEach(async () => {
  closeGates();
  await Promise.all(started.splice(0).map((sb) => sb.stop()));
});
afterAll(async () => {
  await Promise.all(started.splice(0).map((sb) => sb.stop()));
});

describe("sandbox builds", () => {
  it("abort kills the build's whole process group, even a child that ignores SIGTERM", async () => {
    const sb = await sandbox();
    const mark = processMarker();
    const sub = await submitFiles(
      sb,
      {
        "build.sh": ['echo "leader=$$"', "(trap '' TERM; sleep 30) &", 'echo "child=$!"', "sleep 30"].join("\n"),
      },
      { environment: [mark.env] },
    );
    await waitForLog(sb, sub.id, /leader=(\d+)[\s\S]*child=(\d+)/);
    expect(mark.pids().length).toBeGreaterThanOrEqual(3);

    const r = await sandboxRequest(sb, "POST", `${base}/builds/${sub.id}/abort`);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({});
    const b = (await sandboxRequest(sb, "GET", `${base}/builds/${sub.id}/inspect`)).json;
    expect(b.status).toBe("failed");
    expect(b.error).toMatch(/abort/);
    expect(await eventually(() => mark.pids().length === 0)).toBe(true);

    const again = await sandboxRequest(sb, "POST", `${base}/builds/${sub.id}/abort`);
    expect(again.status).toBe(409);
    expect(again.json.error).toMatch(/is failed/);
  });

  it("runs at most --max-parallel builds; the rest wait pending, then run in order", async () => {
    const sb = await sandbox({ maxParallel: 2 });
    const g = gate();
    const a = await submitFiles(sb, GATED, { environment: g.env });
    const b = await submitFiles(sb, GATED, { environment: g.env });
    const c = await submitFiles(sb, GATED, { environment: g.env });
    await waitForLog(sb, a.id, /pid=/);
    await waitForLog(sb, b.id, /pid=/);
    for (let i = 0; i < 5; i++) {
      const list = (await sandboxRequest(sb, "GET", `${base}/builds`)).json as { id: string; status: string }[];
      expect(list.map((x) => x.status)).toEqual(["pending", "running", "running"]);
      expect(list[0]!.id).toBe(c.id);
      await new Promise((r) => setTimeout(r, 60));
    }
    g.open();
    for (const x of [a, b, c]) expect((await waitForBuild(sb, x.id)).status).toBe("done");
    expect(await logText(sb, c.id)).toContain("after-gate");
  });

  it("aborts a pending build without running it", async () => {
    const sb = await sandbox({ maxParallel: 1 });
    const g = gate();
    const a = await submitFiles(sb, GATED, { environment: g.env });
    const b = await submitFiles(sb, GATED, { environment: g.env });
    await waitForLog(sb, a.id, /pid=/);
    const r = await sandboxRequest(sb, "POST", `${base}/builds/${b.id}/abort`);
    expect(r.status).toBe(200);
    g.open();
    expect((await waitForBuild(sb, a.id)).status).toBe("done");
    expect(await waitForBuild(sb, b.id)).toMatchObject({ status: "failed", error: "aborted" });
    expect(await logText(sb, b.id)).not.toContain("pid=");
  });

  it("follow=true streams lines as they come and ends when the build ends", async () => {
    const sb = await sandbox();
    const g = gate();
    const sub = await submitFiles(sb, GATED, { environment: g.env });
    const url = new URL(`${sb.endpoint}${base}/builds/${sub.id}/logs?follow=true`);
    const chunks: string[] = [];
    const ended = new Promise<{ status: number; type: string }>((resolve, reject) => {
      const req = request(url, { headers: { Authorization: `Bearer ${sb.token}` } }, (res) => {
        res.setEncoding("utf8");
        res.on("data", (s: string) => {
          chunks.push(s);
          // Only once the build has shown it is waiting does the test let it go on.
          if (chunks.join("").includes("pid=")) g.open();
        });
        res.on("end", () => resolve({ status: res.statusCode!, type: String(res.headers["content-type"]) }));
      });
      req.on("error", reject);
      req.end();
    });
    const { status, type } = await ended;
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain/);
    const text = chunks.join("");
    expect(text.endsWith("\n")).toBe(true);
    const lines = text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    const contents = lines.map((l) => l.content);
    expect(contents.filter((c) => c.startsWith("pid="))).toHaveLength(1);
    expect(contents.indexOf("after-gate")).toBeGreaterThan(contents.findIndex((c) => c.startsWith("pid=")));
    expect(new Set(lines.map((l) => JSON.stringify(l))).size).toBe(lines.length);
    expect(lines.at(-1)).toMatchObject({ source: "WRAPPER", stage: "TURNDOWN" });
    expect((await waitForBuild(sb, sub.id)).status).toBe("done");
  });

  it("Ctrl-C stops running builds and marks them failed; pending ones too", async () => {
    const sb = await sandbox({ maxParallel: 1 });
    const mark = processMarker();
    const a = await submitFiles(sb, GATED, { environment: [...gate().env, mark.env] });
    const b = await submitFiles(sb, GATED, { environment: gate().env });
    await waitForLog(sb, a.id, /pid=(\d+)/);
    expect(mark.pids().length).toBeGreaterThan(0);
    expect(await sb.stop()).toBe(0);
    expect(sb.stderr()).toMatch(/stopped/);
    expect(mark.pids()).toEqual([]);
    const again = await sandbox({ dataDir: sb.dataDir });
    expect(again.token).toBe(sb.token);
    expect((await sandboxRequest(again, "GET", `${base}/builds/${a.id}/inspect`)).json).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/sandbox stopped while the build was running/),
    });
    expect((await sandboxRequest(again, "GET", `${base}/builds/${b.id}/inspect`)).json).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/sandbox stopped before the build started/),
    });
  });

  it("keeps builds, logs, deployments and the token across a restart; a crash leaves running builds failed", async () => {
    const sb = await sandbox();
    const done = await submitFiles(sb, { "build.sh": "echo kept-line\n" });
    await waitForBuild(sb, done.id);
    // Its deployment goes live shortly after the build is done: kept as such.
    await waitForDeploysSettled(sb, base);
    const g = gate();
    const running = await submitFiles(sb, GATED, { environment: g.env });
    await waitForLog(sb, running.id, /pid=/);
    await sb.kill();
    g.open(); // let the orphaned build script end on its own

    const again = await sandbox({ dataDir: sb.dataDir });
    expect(again.token).toBe(sb.token);
    const mode = (await import("node:fs")).statSync(join(sb.dataDir, "token")).mode & 0o777;
    expect(mode).toBe(0o600);
    const list = (await sandboxRequest(again, "GET", `${base}/builds`)).json;
    expect(list.map((b: { id: string }) => b.id)).toEqual([running.id, done.id]);
    expect(list[0]).toMatchObject({ status: "failed", error: expect.stringMatching(/sandbox stopped while the build was running/) });
    expect(list[1]).toMatchObject({ status: "done" });
    expect(await logText(again, done.id)).toContain("kept-line");
    const deploys = (await sandboxRequest(again, "GET", `${base}/deploys`)).json;
    expect(deploys.map((d: { build: string; status: string }) => [d.build, d.status])).toEqual([
      [running.id, "failed"],
      [done.id, "done"],
    ]);
  });

  it("expires logs after --log-ttl: the build reads expired, its logs answer 204", async () => {
    const sb = await sandbox({ logTtl: "1s" });
    const sub = await submitFiles(sb, { "build.sh": "echo soon-gone\n" });
    await waitForBuild(sb, sub.id);
    const b = await waitForBuild(sb, sub.id, { until: (s) => s === "expired", timeoutMs: 10_000 });
    expect(b.status).toBe("expired");
    const logs = await sandboxRequest(sb, "GET", `${base}/builds/${sub.id}/logs`);
    expect(logs.status).toBe(204);
    expect(logs.text).toBe("");
    const follow = await sandboxRequest(sb, "GET", `${base}/builds/${sub.id}/logs?follow=true`);
    expect(follow.status).toBe(204);
    expect((await sandboxRequest(sb, "GET", `${base}/builds`)).json[0].status).toBe("expired");
  });
});
