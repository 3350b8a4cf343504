import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packFiles, sandboxRequest, startSandbox, submitFiles, waitForBuild, type TestSandbox } from "../../helpers/sandbox.js";

const HELLO = { "build.sh": "echo hello\necho to-stderr >&2\n" };
const base = "/projects/demo/services/web";

describe("sandbox API", () => {
  let sb: TestSandbox;
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => {
    await sb?.stop();
  });

  it("prints its endpoint on 127.0.0.1 and a 64-hex token", () => {
    expect(sb.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2$/);
    expect(sb.token).toMatch(/^[0-9a-f]{64}$/);
  });

  it("GET / answers the version without a token", async () => {
    const r = await sandboxRequest(sb, "GET", "/", { token: null });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ version: "v2" });
  });

  it("answers 401 with a JSON error without a token or with a wrong one", async () => {
    for (const token of [null, "nope", sb.token + "x"]) {
      const r = await sandboxRequest(sb, "GET", `${base}/builds`, { token });
      expect(r.status).toBe(401);
      expect(r.json).toEqual({ error: expect.any(String) });
    }
  });

  it("GET /users/info names the sandbox user and its projects", async () => {
    const r = await sandboxRequest(sb, "GET", "/users/info");
    expect(r.status).toBe(200);
    expect(r.json.name).toBe("sandbox");
    expect(r.json.projects).toContain("sandbox");
  });

  it("runs a shell build end to end: submit, logs, inspect, list, prefix filter, deploy", async () => {
    const sub = await submitFiles(sb, HELLO);
    expect(sub).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: "pending",
      createdAt: expect.any(String),
      deployment: expect.stringMatching(/^v\d+$/),
    });
    const done = await waitForBuild(sb, sub.id);
    expect(done).toMatchObject({ id: sub.id, status: "done", error: "", constructor: "shell", owner: "sandbox", flags: "" });

    const logs = await sandboxRequest(sb, "GET", `${base}/builds/${sub.id}/logs`);
    expect(logs.status).toBe(200);
    expect(logs.headers.get("content-type")).toMatch(/^text\/plain/);
    const entries = logs.text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    for (const e of entries) expect(Object.keys(e).sort()).toEqual(["content", "source", "stage", "timestamp"]);
    expect(entries.filter((e) => e.source === "PROCESS").map((e) => e.content)).toEqual(["hello", "to-stderr"]);
    expect(entries.some((e) => e.source === "WRAPPER" && e.stage === "SETUP")).toBe(true);
    expect(entries.at(-1)).toMatchObject({ source: "WRAPPER", stage: "TURNDOWN" });

    const list = await sandboxRequest(sb, "GET", `${base}/builds`);
    expect(list.json[0]).toEqual({ id: sub.id, status: "done", error: "", createdAt: sub.createdAt });
    const byPrefix = await sandboxRequest(sb, "GET", `${base}/builds/${sub.id.slice(0, 8)}`);
    expect(byPrefix.json.map((b: { id: string }) => b.id)).toContain(sub.id);
    const none = await sandboxRequest(sb, "GET", `${base}/builds/ffffffff-0000`);
    expect(none.status).toBe(200);
    expect(none.json).toEqual([]);

    // The reserved deployment goes live shortly after the build is done.
    await waitForDeploy(base, Number(sub.deployment.slice(1)));
    const deploys = await sandboxRequest(sb, "GET", `${base}/deploys`);
    expect(deploys.json[0]).toEqual({
      version: Number(sub.deployment.slice(1)),
      createdAt: expect.any(String),
      error: "",
      status: "done",
      build: sub.id,
    });
    const info = await sandboxRequest(sb, "GET", "/users/info");
    expect(info.json.projects).toContain("demo");
  });

  it("lists builds newest first", async () => {
    const a = await submitFiles(sb, HELLO, { service: "order" });
    const b = await submitFiles(sb, HELLO, { service: "order" });
    const list = await sandboxRequest(sb, "GET", "/projects/demo/services/order/builds");
    expect(list.json.map((x: { id: string }) => x.id)).toEqual([b.id, a.id]);
  });

  it("does not deploy with deployment.skip, and names no version", async () => {
    const sub = await submitFiles(sb, HELLO, { service: "skip", skipDeploy: true });
    expect(sub.deployment).toBe("");
    await waitForBuild(sb, sub.id, { service: "skip" });
    const deploys = await sandboxRequest(sb, "GET", "/projects/demo/services/skip/deploys");
    expect(deploys.json).toEqual([]);
  });

  it("creates deployments (pending, then done) and rolls back as a new version", async () => {
    const svc = "/projects/demo/services/roll";
    const first = await submitFiles(sb, HELLO, { service: "roll" });
    await waitForBuild(sb, first.id, { service: "roll" });
    const tooFew = await sandboxRequest(sb, "POST", `${svc}/deploys/rollback`, { body: { version: 1 } });
    expect(tooFew.status).toBe(409);
    expect(tooFew.json.error).toMatch(/cannot roll back: service roll has only one deployment/);
    const second = await submitFiles(sb, HELLO, { service: "roll" });
    await waitForBuild(sb, second.id, { service: "roll" });
    const created = await sandboxRequest(sb, "POST", `${svc}/deploys`, {
      body: { build: first.id, environment: [{ key: "A", value: "s3cret", secret: true }] },
    });
    expect(created.status).toBe(200);
    // The environment (secret values included) is never sent back.
    expect(created.json).toEqual({ version: 3, createdAt: expect.any(String), error: "", status: "pending", build: first.id });
    const settled = await waitForDeploy(svc, 3);
    expect(settled.status).toBe("done");
    await waitForDeploy(svc, 2);
    const back = await sandboxRequest(sb, "POST", `${svc}/deploys/rollback`, { body: { version: 2 } });
    expect(back.json).toEqual({ version: 4, createdAt: expect.any(String), error: "", status: "pending", build: second.id });
    await waitForDeploy(svc, 4);
    const list = await sandboxRequest(sb, "GET", `${svc}/deploys`);
    expect(list.json.map((d: { version: number }) => d.version)).toEqual([4, 3, 2, 1]);
    expect(list.text).not.toContain("s3cret");
    expect(Object.keys(list.json[0]).sort()).toEqual(["build", "createdAt", "error", "status", "version"]);
    const missing = await sandboxRequest(sb, "POST", `${svc}/deploys/rollback`, { body: { version: 99 } });
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatch(/deployment 99 not found/);
    const noVersion = await sandboxRequest(sb, "POST", `${svc}/deploys/rollback`, { body: {} });
    expect(noVersion.status).toBe(400);
    expect(noVersion.json.error).toMatch(/"version" is required/);
    const unknownBuild = await sandboxRequest(sb, "POST", `${svc}/deploys`, { body: { build: "nope" } });
    expect(unknownBuild.status).toBe(404);
  });

  /** Polls the deploy list until that version is no longer pending. */
  async function waitForDeploy(svc: string, version: number): Promise<{ status: string }> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const d = (await sandboxRequest(sb, "GET", `${svc}/deploys`)).json.find((x: { version: number }) => x.version === version);
      if (d.status !== "pending" || Date.now() > deadline) return d;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it("fails a build whose build.sh fails, with the exit code in the error", async () => {
    const sub = await submitFiles(sb, { "build.sh": "echo about to fail\nexit 7\n" });
    const b = await waitForBuild(sb, sub.id);
    expect(b.status).toBe("failed");
    expect(b.error).toMatch(/code 7/);
    const deploys = await sandboxRequest(sb, "GET", `${base}/deploys`);
    expect(deploys.json.find((d: { build: string }) => d.build === sub.id)).toMatchObject({ status: "failed" });
  });

  it("passes build.environment to the constructor but not the sandbox's token", async () => {
    const sub = await submitFiles(
      sb,
      { "build.sh": 'echo "greeting=$GREETING token=${VALAR_TOKEN:-none}"\n' },
      { environment: [{ key: "GREETING", value: "hi there" }] },
    );
    await waitForBuild(sb, sub.id);
    const logs = await sandboxRequest(sb, "GET", `${base}/builds/${sub.id}/logs`);
    expect(logs.text).toContain("greeting=hi there token=none");
  });

  it("answers 4xx JSON errors for bad requests", async () => {
    const cases: [string, string, unknown, number, RegExp][] = [
      ["GET", "/nowhere", undefined, 404, /route/],
      ["GET", "/projects/demo/services/web/nothing", undefined, 404, /route/],
      ["DELETE", `${base}/builds`, undefined, 405, /not allowed/],
      ["GET", "/projects/9bad/services/web/builds", undefined, 400, /project name/],
      ["GET", "/projects/demo/services/we-b/builds", undefined, 400, /service name/],
      ["POST", `${base}/builds`, "{not json", 400, /JSON/],
      ["POST", `${base}/builds`, { build: { constructor: "shell" } }, 400, /artifact/],
      ["POST", `${base}/builds`, { artifact: "0123456789abcdef0123456789abcdef", build: { constructor: "shell" } }, 404, /artifact/],
      ["POST", `${base}/builds`, { artifact: "x", build: { constructor: "cobol" } }, 400, /unknown constructor "cobol".*golang.*shell/],
      ["GET", `${base}/builds/not_a_prefix!`, undefined, 400, /prefix/],
      ["GET", `${base}/builds/00000000-0000-4000-8000-000000000000/inspect`, undefined, 404, /^build not found$/],
      ["GET", `${base}/builds/0000/logs`, undefined, 404, /^build not found$/],
      ["POST", `${base}/builds/0000/abort`, undefined, 404, /^build not found$/],
    ];
    for (const [method, path, body, status, message] of cases) {
      const r = await sandboxRequest(sb, method, path, { body });
      expect({ path, status: r.status }).toEqual({ path, status });
      expect(r.headers.get("content-type")).toMatch(/^application\/json/);
      expect(r.json.error).toMatch(message);
    }
  });

  it("takes a full ID or a prefix for inspect, logs and abort; a shared prefix means the newest build", async () => {
    // 17 IDs over 16 hex digits: two of them surely share their first character.
    const ids: string[] = [];
    for (let i = 0; i < 17; i++) ids.push((await submitFiles(sb, { "build.sh": "true\n" }, { service: "prefixes", skipDeploy: true })).id);
    const [older, newer] = ids.flatMap((x, i) =>
      ids
        .slice(i + 1)
        .filter((y) => y[0] === x[0])
        .map((y) => [x, y]),
    )[0]!;
    let common = 0;
    while (older![common] === newer![common]) common++;
    const svc = "/projects/demo/services/prefixes";
    expect((await sandboxRequest(sb, "GET", `${svc}/builds/${older!.toUpperCase()}/inspect`)).json.id).toBe(older);
    expect((await sandboxRequest(sb, "GET", `${svc}/builds/${older!.slice(0, 30)}/logs`)).status).toBe(200);
    // As on Valar: the newest of the builds that share the prefix.
    const newestWithPrefix = ids.filter((x) => x.startsWith(older!.slice(0, common))).at(-1);
    const shared = await sandboxRequest(sb, "GET", `${svc}/builds/${older!.slice(0, common)}/inspect`);
    expect(shared.status).toBe(200);
    expect(shared.json.id).toBe(newestWithPrefix);
    const sharedLogs = await sandboxRequest(sb, "GET", `${svc}/builds/${older!.slice(0, common)}/logs`);
    expect(sharedLogs.text).toContain(`build ${newestWithPrefix} queued`);
    // A build of another service is not found through this one.
    const other = await sandboxRequest(sb, "GET", `${base}/builds/${older}/inspect`);
    expect(other.status).toBe(404);
    expect(other.json).toEqual({ error: "build not found" });
    for (const id of ids) await waitForBuild(sb, id, { service: "prefixes" });
  });

  it("answers 409 when aborting a finished build", async () => {
    const sub = await submitFiles(sb, HELLO);
    await waitForBuild(sb, sub.id);
    const r = await sandboxRequest(sb, "POST", `${base}/builds/${sub.id}/abort`);
    expect(r.status).toBe(409);
    expect(r.json.error).toMatch(/is done/);
  });

  it("fails a build with an unknown-to-tar artifact", async () => {
    const up = await sandboxRequest(sb, "POST", `${base}/artifacts`, { body: Buffer.from("this is not a tarball") });
    const sub = await sandboxRequest(sb, "POST", `${base}/builds`, { body: { artifact: up.json.artifact, build: { constructor: "shell" } } });
    const b = await waitForBuild(sb, sub.json.id);
    expect(b.status).toBe("failed");
    expect(b.error).toMatch(/artifact/);
  });

  it("accepts the documented constructor aliases", async () => {
    const art = await sandboxRequest(sb, "POST", `${base}/artifacts`, { body: await packFiles({ "index.html": "<p>hi</p>" }) });
    for (const constructor of ["go", "golang-1.17", "dockerfile", "kaniko", "node-static", "static"]) {
      const r = await sandboxRequest(sb, "POST", `${base}/builds`, {
        body: { artifact: art.json.artifact, build: { constructor }, deployment: { skip: true } },
      });
      expect({ constructor, status: r.status }).toEqual({ constructor, status: 200 });
    }
  });
});
