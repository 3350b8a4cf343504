import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { valar } from "../helpers/run-in-process.js";
import { testEnv } from "../helpers/test-env.js";
import { tempDir } from "../helpers/temp-dirs.js";
import { json, startFaultServer, type FaultServer } from "../helpers/fault-server.js";

// Every row of the contract's "where settings come from" table, seen from outside.
let a: FaultServer;
let b: FaultServer;
let c: FaultServer;

beforeEach(async () => {
  [a, b, c] = await Promise.all([startFaultServer(), startFaultServer(), startFaultServer()]);
  for (const s of [a, b, c]) {
    s.on("GET /users/info", (_req, res) => json(res, 200, { name: "ada", projects: [] }));
  }
});
afterEach(async () => {
  await Promise.all([a.close(), b.close(), c.close()]);
});

function envWithStore(stored: Record<string, string>, extra: Record<string, string | undefined> = {}) {
  const env = testEnv(extra);
  const dir = env.VALAR_CONFIG_DIR!;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config.json"), JSON.stringify(stored), { mode: 0o600 });
  return env;
}

const hits = (s: FaultServer) => s.requests.length;

describe("endpoint: --endpoint > VALAR_ENDPOINT > stored > default", () => {
  it("the flag wins", async () => {
    const env = envWithStore({ endpoint: c.endpoint, token: "tok" }, { VALAR_ENDPOINT: b.endpoint });
    const r = await valar(["--endpoint", a.endpoint, "auth", "status"], { env });
    expect(r.exitCode).toBe(0);
    expect([hits(a), hits(b), hits(c)]).toEqual([1, 0, 0]);
  });

  it("then the environment", async () => {
    const env = envWithStore({ endpoint: c.endpoint, token: "tok" }, { VALAR_ENDPOINT: b.endpoint });
    const r = await valar(["auth", "status"], { env });
    expect(r.exitCode).toBe(0);
    expect([hits(a), hits(b), hits(c)]).toEqual([0, 1, 0]);
  });

  it("then the stored one", async () => {
    const env = envWithStore({ endpoint: c.endpoint, token: "tok" });
    const r = await valar(["auth", "status"], { env });
    expect(r.exitCode).toBe(0);
    expect([hits(a), hits(b), hits(c)]).toEqual([0, 0, 1]);
  });

  it("else the default https://api.valar.dev/v2", async () => {
    // No token, so nothing is sent anywhere; the message names the endpoint in use.
    const r = await valar(["auth", "status"], { env: envWithStore({}) });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain("https://api.valar.dev/v2");
  });
});

describe("token: VALAR_TOKEN > stored > none", () => {
  it("the environment wins over the stored token", async () => {
    const env = envWithStore({ endpoint: a.endpoint, token: "stored-token" }, { VALAR_TOKEN: "env-token" });
    const r = await valar(["auth", "status"], { env });
    expect(r.exitCode).toBe(0);
    expect(a.requests[0]!.headers.authorization).toBe("Bearer env-token");
  });

  it("then the stored token", async () => {
    const env = envWithStore({ endpoint: a.endpoint, token: "stored-token" });
    const r = await valar(["auth", "status"], { env });
    expect(r.exitCode).toBe(0);
    expect(a.requests[0]!.headers.authorization).toBe("Bearer stored-token");
  });

  it("none → exit 4 with a hint, nothing sent", async () => {
    const env = envWithStore({ endpoint: a.endpoint });
    const r = await valar(["auth", "status"], { env });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/^hint: .*valar auth login/m);
    expect(hits(a)).toBe(0);
  });
});

describe("project and service: flag > env > .valar.yml > stored", () => {
  const builds = (p: string, s: string) => `GET /projects/${p}/services/${s}/builds`;

  function setup(extra: Record<string, string | undefined>, yml?: string) {
    const cwd = tempDir("valar-proj-");
    if (yml !== undefined) writeFileSync(join(cwd, ".valar.yml"), yml);
    const env = envWithStore({ endpoint: a.endpoint, token: "tok", project: "storedp", service: "storeds" }, extra);
    for (const [p, s] of [
      ["flagp", "flags"],
      ["envp", "envs"],
      ["ymlp", "ymls"],
      ["storedp", "storeds"],
      ["storedp", "envs"],
    ]) {
      a.on(builds(p!, s!), (_req, res) => json(res, 200, []));
    }
    return { cwd, env };
  }
  const paths = () => a.requests.map((r) => r.path);

  it("flags win", async () => {
    const { cwd, env } = setup({ VALAR_PROJECT: "envp", VALAR_SERVICE: "envs" }, "project: ymlp\nservice: ymls\n");
    const r = await valar(["builds", "ls", "-p", "flagp", "-s", "flags"], { cwd, env });
    expect(r.exitCode).toBe(0);
    expect(paths()).toEqual(["/projects/flagp/services/flags/builds"]);
  });

  it("then the environment", async () => {
    const { cwd, env } = setup({ VALAR_PROJECT: "envp", VALAR_SERVICE: "envs" }, "project: ymlp\nservice: ymls\n");
    const r = await valar(["builds", "ls"], { cwd, env });
    expect(r.exitCode).toBe(0);
    expect(paths()).toEqual(["/projects/envp/services/envs/builds"]);
  });

  it("then .valar.yml, found from a subdirectory", async () => {
    const { cwd, env } = setup({}, "project: ymlp\nservice: ymls\nbuild:\n  environment: [A=1, {key: B, value: 2}]\n");
    const sub = join(cwd, "src", "deep");
    mkdirSync(sub, { recursive: true });
    const r = await valar(["builds", "ls"], { cwd: sub, env });
    expect(r.exitCode).toBe(0);
    expect(paths()).toEqual(["/projects/ymlp/services/ymls/builds"]);
  });

  it("then the stored settings; each setting resolves on its own", async () => {
    const { cwd, env } = setup({ VALAR_SERVICE: "envs" });
    const r = await valar(["builds", "ls"], { cwd, env });
    expect(r.exitCode).toBe(0);
    expect(paths()).toEqual(["/projects/storedp/services/envs/builds"]);
  });

  it("missing project → exit 2 with a hint, before any request", async () => {
    const cwd = tempDir();
    const r = await valar(["builds", "ls"], { cwd, env: envWithStore({ endpoint: a.endpoint, token: "tok", service: "web" }) });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("error: no project given");
    expect(r.stderr).toMatch(/^hint: .*-p PROJECT/m);
    expect(hits(a)).toBe(0);
  });

  it('nothing set up: the first error is "not logged in", not the missing project', async () => {
    const r = await valar(["builds", "ls"], { cwd: tempDir(), env: testEnv() });
    expect(r.exitCode).toBe(4);
    expect(r.stderr.split("\n")[0]).toBe("error: not logged in to https://api.valar.dev/v2");
  });

  it.each([
    ["-s", "node-app", 'invalid service name "node-app" (from --service)', '"nodeapp"'],
    ["-s", "2nd_api", 'invalid service name "2nd_api" (from --service)', '"ndapi"'],
    ["-p", "my_proj.v2", 'invalid project name "my_proj.v2" (from --project)', '"my-proj-v2"'],
  ])("%s %s is refused, suggesting the nearest valid name", async (flag, name, message, suggestion) => {
    const args = flag === "-s" ? ["-p", "proj", "-s", name] : ["-p", name, "-s", "web"];
    const r = await valar(["builds", "ls", ...args], { cwd: tempDir(), env: envWithStore({ endpoint: a.endpoint, token: "tok" }) });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`error: ${message}\n`);
    expect(r.stderr).toMatch(new RegExp(`^hint: .*: try ${suggestion}$`, "m"));
    expect(hits(a)).toBe(0);
  });

  it("missing service → exit 2 with a hint", async () => {
    const cwd = tempDir();
    const r = await valar(["builds", "ls", "-p", "proj"], { cwd, env: envWithStore({ endpoint: a.endpoint, token: "tok" }) });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("error: no service given");
    expect(hits(a)).toBe(0);
  });

  it.each([
    [["-p", "1proj", "-s", "web"], /invalid project name "1proj" \(from --project\)/],
    [["-p", "my--proj", "-s", "web"], /invalid project name/],
    [["-p", "proj", "-s", "we-b"], /invalid service name "we-b"/],
  ])("invalid names %j → exit 2, nothing sent", async (args, message) => {
    const cwd = tempDir();
    const r = await valar(["builds", "ls", ...args], { cwd, env: envWithStore({ endpoint: a.endpoint, token: "tok" }) });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/^hint: /m);
    expect(hits(a)).toBe(0);
  });

  it("an invalid name in .valar.yml is reported with the file", async () => {
    const { cwd, env } = setup({}, "project: bad_name\nservice: web\n");
    const r = await valar(["builds", "ls"], { cwd, env });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`invalid project name "bad_name" (from ${join(cwd, ".valar.yml")})`);
  });

  it("a broken .valar.yml → exit 2, one line naming the file", async () => {
    const { cwd, env } = setup({}, "project: [unclosed\n");
    const r = await valar(["builds", "ls"], { cwd, env });
    expect(r.exitCode).toBe(2);
    const errorLines = r.stderr.split("\n").filter((l) => l.startsWith("error:"));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toContain(join(cwd, ".valar.yml"));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(hits(a)).toBe(0);
  });
});

describe("stored settings file", () => {
  it("lives in VALAR_CONFIG_DIR and has mode 0600 once a token is stored", async () => {
    const env = testEnv({ VALAR_CONFIG_DIR: join(tempDir(), "nested", "cfg") });
    const r = await valar(["auth", "login", "--endpoint", a.endpoint], { env, input: "tok-123\n" });
    expect(r.exitCode).toBe(0);
    const file = join(env.VALAR_CONFIG_DIR!, "config.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("without VALAR_CONFIG_DIR, it is in the user's config directory", async () => {
    const env = testEnv({ VALAR_CONFIG_DIR: undefined });
    const r = await valar(["config", "set", "project", "proj"], { env });
    expect(r.exitCode).toBe(0);
    expect(statSync(join(env.XDG_CONFIG_HOME!, "valar", "config.json")).isFile()).toBe(true);
  });
});
