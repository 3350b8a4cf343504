import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILDS_PATH, PROJECT, SERVICE, TOKEN, build, paths, startBuildsServer } from "../helpers/builds-fixtures.js";
import { json, type FaultServer } from "../helpers/fault-server.js";
import { runInProcess } from "../helpers/run-in-process.js";

// `builds ls`, `inspect` and `status` run inside the test process against a fake API (the
// fault server on loopback): the requests it received and what the IO double shows.
const A = "a1b2c3d4-e5f6-7890-abcd-ef1234567890";
const B = "b2c3d4e5-f6a7-8901-bcde-f12345678901";
const C = "c3d4e5f6-a7b8-9012-cdef-123456789012";

let api: FaultServer;
beforeAll(async () => {
  api = await startBuildsServer([build(C, "running", 0), build(A, "done", 3), build(B, "failed", 60, "go build exited 2")]);
  api.on(`GET ${BUILDS_PATH}/ffff`, (_req, res) => json(res, 200, []));
});
afterAll(() => api.close());

const env = () => ({ VALAR_ENDPOINT: api.endpoint, VALAR_TOKEN: TOKEN, VALAR_PROJECT: PROJECT, VALAR_SERVICE: SERVICE });

describe("in process: reading builds", () => {
  const cases: { name: string; args: string[]; exitCode: number; stdout: RegExp | string; stderr?: RegExp; sent: string[] }[] = [
    {
      name: "ls -q prints the IDs newest first",
      args: ["builds", "ls", "-q"],
      exitCode: 0,
      stdout: `${C}\n${A}\n${B}\n`,
      sent: [`GET ${BUILDS_PATH}`],
    },
    {
      name: "ls with a prefix asks for that prefix",
      args: ["builds", "ls", "-q", "a1"],
      exitCode: 0,
      stdout: `${A}\n`,
      sent: [`GET ${BUILDS_PATH}/a1`],
    },
    {
      name: "ls --status keeps the matching builds",
      args: ["builds", "ls", "-q", "--status", "failed"],
      exitCode: 0,
      stdout: `${B}\n`,
      sent: [`GET ${BUILDS_PATH}`],
    },
    {
      name: "-q with --json is a usage error and sends nothing",
      args: ["builds", "ls", "-q", "--json"],
      exitCode: 2,
      stdout: "",
      stderr: /^error: /m,
      sent: [],
    },
    { name: "an invalid prefix sends nothing", args: ["builds", "inspect", "a_1"], exitCode: 2, stdout: "", stderr: /error: /, sent: [] },
    { name: "status of a done build exits 0", args: ["builds", "status", "a1b2"], exitCode: 0, stdout: "done\n", sent: [`GET ${BUILDS_PATH}/a1b2`] },
    { name: "status of a failed build exits 3", args: ["builds", "status", "b2"], exitCode: 3, stdout: "failed\n", sent: [`GET ${BUILDS_PATH}/b2`] },
    {
      name: "an unknown prefix exits 5",
      args: ["builds", "inspect", "ffff"],
      exitCode: 5,
      stdout: "",
      stderr: /error: /,
      sent: [`GET ${BUILDS_PATH}/ffff`],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      api.requests.length = 0;
      const r = await runInProcess(c.args, { env: env() });
      expect(r.exitCode, r.stderr).toBe(c.exitCode);
      if (typeof c.stdout === "string") expect(r.stdout).toBe(c.stdout);
      else expect(r.stdout).toMatch(c.stdout);
      if (c.stderr) expect(r.stderr).toMatch(c.stderr);
      expect(paths(api)).toEqual(c.sent);
      for (const req of api.requests) expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    });
  }

  it("ls --json prints the API's objects and nothing else on stdout", async () => {
    const r = await runInProcess(["builds", "ls", "--json", "-n", "2"], { env: env() });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).map((b: { id: string }) => b.id)).toEqual([C, A]);
  });

  it("a table on a terminal colours the status; in a pipe it has no escape codes", async () => {
    const tty = await runInProcess(["builds", "ls"], { env: env(), tty: true, columns: 200 });
    expect(tty.stdout).toMatch(/\u001b\[/);
    const piped = await runInProcess(["builds", "ls"], { env: env() });
    expect(piped.stdout).not.toMatch(/\u001b/);
    expect(piped.stdout).toMatch(/^ID\s+STATUS/);
  });

  it("without a token: exit 4 and nothing sent", async () => {
    api.requests.length = 0;
    const r = await runInProcess(["builds", "ls"], { env: { ...env(), VALAR_TOKEN: undefined } });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/valar auth login/);
    expect(api.requests).toEqual([]);
  });
});
