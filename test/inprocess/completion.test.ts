import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILDS_PATH, DEPLOYS_PATH, TOKEN, apiEnv, paths, startBuildsServer } from "../helpers/builds-fixtures.js";
import { fakeClock } from "../helpers/fake-clock.js";
import { json, startFaultServer, type FaultServer } from "../helpers/fault-server.js";
import { runInProcess } from "../helpers/run-in-process.js";

// `valar completion SHELL` and the hidden `valar __complete KIND [WORD]` the scripts call, in
// process. The scripts in real shells are test/e2e/completion.test.ts's.
const NOW = Date.parse("2026-01-10T12:00:00Z");
const at = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000).toISOString();
const OLD = { id: "a1b2c3d4-0000-4000-8000-000000000001", status: "done", error: "", createdAt: at(120) };
const NEW = { id: "a1ffffff-0000-4000-8000-000000000002", status: "running", error: "", createdAt: at(3) };
const OTHER = { id: "b2c3d4e5-0000-4000-8000-000000000003", status: "failed", error: "x", createdAt: at(60) };
const deploy = (version: number, minutesAgo: number) => ({ version, status: "done", build: OLD.id, error: "", createdAt: at(minutesAgo) });

const FILES = { bash: "completions/valar.bash", zsh: "completions/_valar", fish: "completions/valar.fish" } as const;

describe("valar completion", () => {
  it.each(Object.entries(FILES))("%s prints %s (regenerate: npm run completions)", async (shell, file) => {
    const r = await runInProcess(["completion", shell]);
    expect([r.exitCode, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toBe(readFileSync(new URL(`../../${file}`, import.meta.url), "utf8"));
  });

  it.each([
    [["completion", "powershell"], /^error: .*powershell/],
    [["completion"], /^error: missing required argument 'shell'/],
  ])("%j is a usage error", async (args, message) => {
    const r = await runInProcess(args);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/^hint: see `valar completion --help`$/m);
  });
});

describe("valar __complete", () => {
  let api: FaultServer;
  beforeAll(async () => {
    api = await startBuildsServer([NEW, OTHER, OLD]);
  });
  afterAll(() => api.close());

  const cases: { name: string; args: string[]; deploys?: unknown; stdout: string; sent: string[] }[] = [
    {
      name: "build-ids: ID<TAB>status, age, newest first",
      args: ["build-ids"],
      stdout: `${NEW.id}\trunning, 3 minutes ago\n${OTHER.id}\tfailed, 1 hour ago\n${OLD.id}\tdone, 2 hours ago\n`,
      sent: [`GET ${BUILDS_PATH}`],
    },
    {
      name: "build-ids PREFIX asks for that prefix",
      args: ["build-ids", "a1"],
      stdout: `${NEW.id}\trunning, 3 minutes ago\n${OLD.id}\tdone, 2 hours ago\n`,
      sent: [`GET ${BUILDS_PATH}/a1`],
    },
    { name: "build-ids with a word that is no prefix asks nothing", args: ["build-ids", "a/b"], stdout: "", sent: [] },
    {
      name: "deploy-versions: VERSION<TAB>status, build, age, newest first",
      args: ["deploy-versions"],
      deploys: [deploy(1, 90), deploy(12, 5), deploy(2, 30)],
      stdout: "12\tdone, build a1b2c3d4, 5 minutes ago\n2\tdone, build a1b2c3d4, 30 minutes ago\n1\tdone, build a1b2c3d4, 1 hour ago\n",
      sent: [`GET ${DEPLOYS_PATH}`],
    },
    {
      name: "deploy-versions v1 keeps the v and the versions starting with 1",
      args: ["deploy-versions", "v1"],
      deploys: [deploy(1, 90), deploy(12, 5), deploy(2, 30)],
      stdout: "v12\tdone, build a1b2c3d4, 5 minutes ago\nv1\tdone, build a1b2c3d4, 1 hour ago\n",
      sent: [`GET ${DEPLOYS_PATH}`],
    },
    { name: "deploy-versions with a word that is no version asks nothing", args: ["deploy-versions", "x"], stdout: "", sent: [] },
    {
      name: "deploy-versions when the API answers garbage",
      args: ["deploy-versions"],
      deploys: { not: "a list" },
      stdout: "",
      sent: [`GET ${DEPLOYS_PATH}`],
    },
    { name: "an unknown kind and a stray flag", args: ["nonsense", "--weird"], stdout: "", sent: [] },
    { name: "no kind at all", args: [], stdout: "", sent: [] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      api.on(`GET ${DEPLOYS_PATH}`, (_req, res) => json(res, 200, c.deploys ?? []));
      api.requests.length = 0;
      const r = await runInProcess(["__complete", ...c.args], { env: apiEnv(api), clock: fakeClock(NOW) });
      expect([r.exitCode, r.stderr]).toEqual([0, ""]);
      expect(r.stdout).toBe(c.stdout);
      expect(paths(api)).toEqual(c.sent);
      for (const req of api.requests) expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    });
  }

  describe("prints nothing and exits 0 on any failure", () => {
    let failing: FaultServer;
    beforeAll(async () => {
      failing = await startFaultServer();
    });
    afterAll(() => failing.close());

    const answers: Record<string, (res: Parameters<typeof json>[0]) => void> = {
      "500": (res) => json(res, 500, { error: "boom" }),
      "401": (res) => json(res, 401, { error: "bad token" }),
      "not a list": (res) => json(res, 200, { not: "a list" }),
      "not JSON": (res) => {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<html>");
      },
    };
    it.each(Object.keys(answers))("the API answers %s (asked once: no retries)", async (answer) => {
      failing.on(`GET ${BUILDS_PATH}`, (_req, res) => answers[answer]!(res));
      failing.requests.length = 0;
      const r = await runInProcess(["__complete", "build-ids"], { env: apiEnv(failing) });
      expect([r.exitCode, r.stdout, r.stderr]).toEqual([0, "", ""]);
      expect(paths(failing)).toEqual([`GET ${BUILDS_PATH}`]);
    });

    it.each([
      ["no token", { VALAR_TOKEN: undefined }],
      ["no project or service", { VALAR_PROJECT: undefined, VALAR_SERVICE: undefined }],
      ["an endpoint that is not http", { VALAR_ENDPOINT: "ftp://nowhere" }],
      ["plain http to a host that is not loopback", { VALAR_ENDPOINT: "http://10.255.255.1/v2" }],
    ])("%s: nothing sent", async (_what, env) => {
      failing.requests.length = 0;
      const r = await runInProcess(["__complete", "build-ids"], { env: apiEnv(failing, env) });
      expect([r.exitCode, r.stdout, r.stderr]).toEqual([0, "", ""]);
      expect(failing.requests).toEqual([]);
    });

    it("the API is unreachable", async () => {
      const closed = await startFaultServer();
      await closed.close();
      const r = await runInProcess(["__complete", "deploy-versions"], { env: apiEnv(closed) });
      expect([r.exitCode, r.stdout, r.stderr]).toEqual([0, "", ""]);
    });
  });

  it("never hands server text with control sequences to the shell", async () => {
    const server = await startFaultServer();
    try {
      server.on(`GET ${BUILDS_PATH}`, (_req, res) =>
        json(res, 200, [{ id: "abc-2", status: "done\u001b]0;PWNED\u0007\u001b[2J", error: "", createdAt: at(1) }]),
      );
      const r = await runInProcess(["__complete", "build-ids"], { env: apiEnv(server), clock: fakeClock(NOW) });
      expect(r.stdout).toBe("abc-2\tdone]0;PWNED[2J, 1 minute ago\n");
    } finally {
      await server.close();
    }
  });
});
