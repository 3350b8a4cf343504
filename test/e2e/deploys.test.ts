import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runValar, tempDir } from "../helpers/cli.js";
import { json, type FaultServer } from "../helpers/fault-server.js";
import { BUILDS_PATH, TOKEN, build, envFor, startBuildsServer } from "../helpers/builds-fixtures.js";
import { sandboxRequest, startSandbox, submitFiles, waitForBuild, type TestSandbox } from "../helpers/sandbox.js";

const HELLO = { "build.sh": "#!/bin/sh\necho hello\n" };
const DEPLOYS_PATH = BUILDS_PATH.replace(/builds$/, "deploys");

describe("valar deploys against the sandbox", () => {
  let sb: TestSandbox;
  /** Build IDs of demo/web, oldest first: each became deployment 1, 2. */
  let ids: string[];
  beforeAll(async () => {
    sb = await startSandbox();
    ids = await service("web", 2);
  }, 60_000);
  afterAll(async () => {
    await sb?.stop();
  });

  /** A fresh service with `n` done, deployed builds; returns their IDs, oldest first. */
  async function service(name: string, n: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const b = await submitFiles(sb, HELLO, { service: name });
      await waitForBuild(sb, b.id, { service: name });
      out.push(b.id);
    }
    // A done build's deployment goes live shortly after: rollbacks need it live.
    for (;;) {
      const list = await sandboxRequest(sb, "GET", `/projects/demo/services/${name}/deploys`);
      if (list.json.every((d: { status: string }) => d.status === "done")) return out;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it("ls: a table VERSION, STATUS, BUILD, CREATED, ERROR, newest first, on stdout", async () => {
    const r = await runValar(["deploys", "ls"], { env: sb.env() });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^VERSION +STATUS +BUILD +CREATED +ERROR$/);
    expect(lines[1]).toMatch(new RegExp(`^2 +done +${ids[1]} +\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`));
    expect(lines[2]).toMatch(new RegExp(`^1 +done +${ids[0]} +`));
    expect(lines).toHaveLength(3);
  });

  it("ls --json: the API's objects, integer versions, no environment; -q: versions only", async () => {
    const j = await runValar(["deploys", "ls", "--json"], { env: sb.env() });
    expect(j.exitCode).toBe(0);
    const list = JSON.parse(j.stdout);
    expect(list.map((d: { version: number }) => d.version)).toEqual([2, 1]);
    expect(list[0]).toEqual({ version: 2, status: "done", build: ids[1], error: "", createdAt: expect.any(String) });
    const q = await runValar(["deploys", "ls", "-q"], { env: sb.env() });
    expect(q.stdout).toBe("2\n1");
    expect(q.stderr).toBe("");
  });

  it("ls -n 1 shows the newest and says how many there are", async () => {
    const r = await runValar(["deploys", "ls", "-n", "1", "-q"], { env: sb.env() });
    expect(r.stdout).toBe("2");
    const t = await runValar(["deploys", "ls", "-n", "1"], { env: sb.env() });
    expect(t.stderr).toBe("showing 1 of 2 deployments; use -n N or --all for more");
    const bad = await runValar(["deploys", "ls", "-n", "0"], { env: sb.env() });
    expect(bad.exitCode).toBe(2);
  });

  it("answers to the Go CLI's names: deploy, deployment (and list)", async () => {
    for (const args of [
      ["deploy", "ls", "-q"],
      ["deployment", "list", "-q"],
      ["deployment", "ls", "-q"],
    ]) {
      const r = await runValar(args, { env: sb.env() });
      expect([r.exitCode, r.stdout]).toEqual([0, "2\n1"]);
    }
  });

  it("ls of a service without deployments: a note on stderr, exit 0; [] with --json", async () => {
    const r = await runValar(["deploys", "ls", "-s", "nothing"], { env: sb.env() });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("No deployments in demo/nothing yet.");
    const j = await runValar(["deploys", "ls", "--json", "-s", "nothing"], { env: sb.env() });
    expect(JSON.parse(j.stdout)).toEqual([]);
  });

  it("create <prefix> deploys that build and prints the new version alone on stdout", async () => {
    const built = await service("create", 2);
    const r = await runValar(["deploys", "create", built[0]!.slice(0, 8), "--env", "A=1"], { env: sb.env({ VALAR_SERVICE: "create" }) });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("3");
    // The API answers a new deployment `pending`; the sandbox makes it `done` shortly after.
    expect(r.stderr).toBe(`ok created deployment v3 of build ${built[0]}; it is pending`);
    const list = await sandboxRequest(sb, "GET", "/projects/demo/services/create/deploys");
    expect(list.json[0]).toEqual({
      version: 3,
      status: expect.stringMatching(/^(pending|done)$/),
      build: built[0],
      error: "",
      createdAt: expect.any(String),
    });
    const j = await runValar(["deploy", "create", built[1]!, "--json"], { env: sb.env({ VALAR_SERVICE: "create" }) });
    expect(JSON.parse(j.stdout)).toEqual({ version: 4, status: "pending", build: built[1], error: "", createdAt: expect.any(String) });
  });

  it("create: no build matches → exit 5; a malformed prefix or --env → exit 2", async () => {
    const none = await runValar(["deploys", "create", "ffffffff"], { env: sb.env() });
    expect(none.exitCode).toBe(5);
    expect(none.stderr).toContain('error: no build matches "ffffffff" in demo/web');
    const bad = await runValar(["deploys", "create", "a/b"], { env: sb.env() });
    expect(bad.exitCode).toBe(2);
    const env = await runValar(["deploys", "create", ids[0]!, "--env", "NOEQUALS"], { env: sb.env() });
    expect(env.exitCode).toBe(2);
    expect(env.stderr).toContain('invalid --env "NOEQUALS": expected KEY=VALUE');
    const missing = await runValar(["deploys", "create"], { env: sb.env() });
    expect(missing.exitCode).toBe(2);
  });

  it("rollback: to the one before the newest, as a new version; prints it", async () => {
    const built = await service("roll", 3);
    const env = sb.env({ VALAR_SERVICE: "roll" });
    const r = await runValar(["deploys", "rollback"], { env });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("4");
    expect(r.stderr).toBe(`ok rolled back to v2 (build ${built[1]}) as v4; it is pending`);
    // Now 4 (=2), 3, 2, 1: --delta 3 goes to 1.
    const d = await runValar(["deploys", "rollback", "--delta", "3", "--json"], { env });
    expect(JSON.parse(d.stdout)).toMatchObject({ version: 5, build: built[0] });
    const v = await runValar(["deployment", "rollback", "v3"], { env });
    expect([v.exitCode, v.stdout]).toEqual([0, "6"]);
    const list = await sandboxRequest(sb, "GET", "/projects/demo/services/roll/deploys");
    expect(list.json.map((x: { version: number; build: string }) => [x.version, x.build])).toEqual([
      [6, built[2]],
      [5, built[0]],
      [4, built[1]],
      [3, built[2]],
      [2, built[1]],
      [1, built[0]],
    ]);
  });

  it("rollback to an unknown version → exit 5, nothing rolled back", async () => {
    const r = await runValar(["deploys", "rollback", "99"], { env: sb.env() });
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toContain("error: no deployment v99 in demo/web");
    const list = await sandboxRequest(sb, "GET", "/projects/demo/services/web/deploys");
    expect(list.json).toHaveLength(2);
  });

  it("rollback with too few deployments → exit 1 with a message", async () => {
    await service("single", 1);
    const r = await runValar(["deploys", "rollback"], { env: sb.env({ VALAR_SERVICE: "single" }) });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("error: cannot roll back 1 version: demo/single has 1 deployment");
    const none = await runValar(["deploys", "rollback", "--delta", "5"], { env: sb.env() });
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toContain("error: cannot roll back 5 versions: demo/web has 2 deployments");
    expect(none.stderr).toContain("hint: use --delta 1 or less");
  });

  it("rollback usage errors → exit 2: a malformed version, a version with --delta, --delta 0", async () => {
    for (const args of [["abc"], ["-1"], ["2", "--delta", "1"], ["--delta", "0"], ["--delta", "x"]]) {
      const r = await runValar(["deploys", "rollback", ...args], { env: sb.env() });
      expect(r.exitCode, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
    }
  });
});

describe("valar deploys against a fault server", () => {
  let server: FaultServer;
  const done = build("d0e1f2a3-0000-4000-8000-000000000001", "done", 5);
  const failed = build("f0e1f2a3-0000-4000-8000-000000000002", "failed", 3, "exit 1");
  const deploy = (version: unknown, b = done.id) => ({ version, status: "done", build: b, error: "", createdAt: new Date().toISOString() });
  beforeAll(async () => {
    server = await startBuildsServer([failed, done]);
  });
  afterAll(async () => {
    await server?.close();
  });
  afterEach(() => {
    server.requests.length = 0;
  });
  const posts = () => server.requests.filter((q) => q.method === "POST");

  it("create sends the full build ID, the --env pairs over .valar.yml's deployment environment, and the token", async () => {
    server.on(`POST ${DEPLOYS_PATH}`, (_req, res) => json(res, 200, deploy(7)));
    const dir = tempDir();
    writeFileSync(
      join(dir, ".valar.yml"),
      "project: p\nservice: s\ndeployment:\n  environment:\n    - A=from-yml\n    - key: SECRET\n      value: s3\n      secret: true\n",
    );
    const r = await runValar(["deploys", "create", "d0e1", "--env", "A=flag", "--env", "B=2"], { env: envFor(server), cwd: dir });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("7");
    expect(posts()).toHaveLength(1);
    const sent = posts()[0]!;
    expect(sent.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(sent.body.toString())).toEqual({
      build: done.id,
      environment: [
        { key: "A", value: "flag" },
        { key: "SECRET", value: "s3", secret: true },
        { key: "B", value: "2" },
      ],
    });
  });

  it("create without --env sends no environment", async () => {
    server.on(`POST ${DEPLOYS_PATH}`, (_req, res) => json(res, 200, deploy(8)));
    const r = await runValar(["deploys", "create", "d0e1"], { env: envFor(server), cwd: tempDir() });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(posts()[0]!.body.toString())).toEqual({ build: done.id });
  });

  it("create refuses a build that is not done (exit 1), nothing sent", async () => {
    const r = await runValar(["deploys", "create", "f0e1"], { env: envFor(server) });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`error: build ${failed.id} has failed; only a done build can be deployed`);
    expect(posts()).toEqual([]);
  });

  it("create: a 500 is not retried (it could make two versions) → exit 6", async () => {
    server.on(`POST ${DEPLOYS_PATH}`, (_req, res) => json(res, 500, { error: "internal error" }));
    const r = await runValar(["deploys", "create", "d0e1"], { env: envFor(server) });
    expect(r.exitCode).toBe(6);
    expect(posts()).toHaveLength(1);
  });

  it("rollback sends {version: N} as an integer; the API's 404 → exit 5", async () => {
    server.on(`GET ${DEPLOYS_PATH}`, (_req, res) => json(res, 200, [deploy(3), deploy(2), deploy(1)]));
    server.on(`POST ${DEPLOYS_PATH}/rollback`, (_req, res) => json(res, 200, deploy(4)));
    const r = await runValar(["deploys", "rollback"], { env: envFor(server) });
    expect([r.exitCode, r.stdout]).toEqual([0, "4"]);
    expect(JSON.parse(posts()[0]!.body.toString())).toEqual({ version: 2 });
    server.on(`POST ${DEPLOYS_PATH}/rollback`, (_req, res) => json(res, 404, { error: "deployment not found" }));
    const gone = await runValar(["deploys", "rollback", "1"], { env: envFor(server) });
    expect(gone.exitCode).toBe(5);
    expect(gone.stderr).toContain("deployment not found");
  });

  it("401 → exit 4; no project → exit 2 with a hint; nothing sent without a token", async () => {
    server.on(`GET ${DEPLOYS_PATH}`, (_req, res) => json(res, 401, { error: "invalid token" }));
    expect((await runValar(["deploys", "ls"], { env: envFor(server) })).exitCode).toBe(4);
    const noProject = await runValar(["deploys", "ls"], { env: envFor(server, { VALAR_PROJECT: undefined }), cwd: tempDir() });
    expect(noProject.exitCode).toBe(2);
    expect(noProject.stderr).toContain("error: no project given");
    server.requests.length = 0;
    const noToken = await runValar(["deploys", "rollback"], { env: envFor(server, { VALAR_TOKEN: undefined }) });
    expect(noToken.exitCode).toBe(4);
    expect(server.requests).toEqual([]);
  });
});
