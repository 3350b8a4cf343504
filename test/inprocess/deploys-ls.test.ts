import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEPLOYS_PATH, TOKEN, apiEnv, build, paths, startBuildsServer } from "../helpers/builds-fixtures.js";
import { json, type FaultServer } from "../helpers/fault-server.js";
import { valar } from "../helpers/run-in-process.js";

// `deploys ls` in process against a fault server whose deployment list each case sets.
const DONE = build("d0e1f2a3-0000-4000-8000-000000000001", "done", 5);
const created = "2026-01-02T03:04:05Z";
const deploy = (version: unknown, status = "done", error = "") => ({ version, status, build: DONE.id, error, createdAt: created });
const THREE = [deploy(3), deploy(2, "failed", "image pull failed"), deploy(1)];

let server: FaultServer;
beforeAll(async () => {
  server = await startBuildsServer([DONE]);
});
afterAll(() => server.close());

interface Case {
  name: string;
  args: string[];
  /** The API's deployment list (an answer of its own when a function). */
  list?: unknown[] | ((res: ServerResponse) => void);
  env?: NodeJS.ProcessEnv;
  exitCode: number;
  stdout?: string | RegExp;
  stderr?: string | RegExp;
  sent: string[];
}

const LIST = `GET ${DEPLOYS_PATH}`;

describe("deploys ls", () => {
  const cases: Case[] = [
    {
      name: "a table VERSION, STATUS, BUILD, CREATED, ERROR, newest first",
      args: ["deploys", "ls"],
      list: THREE,
      exitCode: 0,
      stdout: [
        "VERSION  STATUS  BUILD                                 CREATED               ERROR",
        `3        done    ${DONE.id}  ${created}`,
        `2        failed  ${DONE.id}  ${created}  image pull failed`,
        `1        done    ${DONE.id}  ${created}`,
      ].join("\n"),
      stderr: "",
      sent: [LIST],
    },
    { name: "-q: versions only", args: ["deploys", "ls", "-q"], list: THREE, exitCode: 0, stdout: "3\n2\n1", stderr: "", sent: [LIST] },
    {
      name: "sorts by version when the API does not",
      args: ["deploys", "ls", "-q"],
      list: [deploy(1), deploy(3), deploy(2)],
      exitCode: 0,
      stdout: "3\n2\n1",
      sent: [LIST],
    },
    { name: "-n 1 shows the newest", args: ["deploys", "ls", "-n", "1", "-q"], list: THREE, exitCode: 0, stdout: "3", sent: [LIST] },
    {
      name: "-n 1 in a table says how many there are",
      args: ["deploys", "ls", "-n", "1"],
      list: THREE,
      exitCode: 0,
      stdout: /^VERSION .*\n3 +done /,
      stderr: "showing 1 of 3 deployments; use -n N or --all for more",
      sent: [LIST],
    },
    { name: "--all shows everything", args: ["deploys", "ls", "--all", "-q"], list: THREE, exitCode: 0, stdout: "3\n2\n1", sent: [LIST] },
    { name: "answers to `deploy ls`", args: ["deploy", "ls", "-q"], list: THREE, exitCode: 0, stdout: "3\n2\n1", sent: [LIST] },
    { name: "answers to `deployment list`", args: ["deployment", "list", "-q"], list: THREE, exitCode: 0, stdout: "3\n2\n1", sent: [LIST] },
    {
      name: "no deployments: a note on stderr, exit 0",
      args: ["deploys", "ls"],
      list: [],
      exitCode: 0,
      stdout: "",
      stderr: /^No deployments in p\/s yet\./,
      sent: [LIST],
    },
    { name: "no deployments with --json: []", args: ["deploys", "ls", "--json"], list: [], exitCode: 0, stdout: "[]", stderr: "", sent: [LIST] },
    {
      name: 'a version that is not an integer ("v1") → exit 6',
      args: ["deploys", "ls"],
      list: [deploy("v1")],
      exitCode: 6,
      stdout: "",
      stderr: /a deployment has no integer "version"/,
      sent: [LIST],
    },
    {
      name: "401 → exit 4",
      args: ["deploys", "ls", "--json"],
      list: (res) => json(res, 401, { error: "invalid token" }),
      exitCode: 4,
      stdout: "",
      stderr: /^error: /,
      sent: [LIST],
    },
    {
      name: "-n 0 → exit 2, nothing sent",
      args: ["deploys", "ls", "-n", "0"],
      list: THREE,
      exitCode: 2,
      stdout: "",
      stderr: /^error: option '-n, --limit <n>'/,
      sent: [],
    },
    {
      name: "--all with -n → exit 2",
      args: ["deploys", "ls", "--all", "-n", "2"],
      list: THREE,
      exitCode: 2,
      stderr: /cannot be used with/,
      sent: [],
    },
    { name: "-q with --json → exit 2", args: ["deploys", "ls", "-q", "--json"], list: THREE, exitCode: 2, stderr: /cannot be used with/, sent: [] },
    {
      name: "no project → exit 2 with a hint, nothing sent",
      args: ["deploys", "ls"],
      env: { VALAR_PROJECT: undefined },
      exitCode: 2,
      stderr: /^error: no project given\nhint: /,
      sent: [],
    },
    {
      name: "no token → exit 4, nothing sent",
      args: ["deploys", "ls"],
      env: { VALAR_TOKEN: undefined },
      exitCode: 4,
      stderr: /valar auth login/,
      sent: [],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const list = c.list;
      server.on(LIST, (_req, res) => (typeof list === "function" ? list(res) : json(res, 200, list ?? [])));
      server.requests.length = 0;
      const r = await valar(c.args, { env: apiEnv(server, c.env) });
      expect(r.exitCode, r.stderr).toBe(c.exitCode);
      if (typeof c.stdout === "string") expect(r.stdout).toBe(c.stdout);
      else if (c.stdout) expect(r.stdout).toMatch(c.stdout);
      if (typeof c.stderr === "string") expect(r.stderr).toBe(c.stderr);
      else if (c.stderr) expect(r.stderr).toMatch(c.stderr);
      expect(paths(server)).toEqual(c.sent);
      for (const req of server.requests) expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    });
  }

  it("--json prints the API's objects, newest first, and nothing else", async () => {
    server.on(LIST, (_req, res) => json(res, 200, [deploy(1), deploy(2)]));
    const r = await valar(["deploys", "ls", "--json"], { env: apiEnv(server) });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([deploy(2), deploy(1)]);
    expect(r.stderr).toBe("");
  });

  it("a terminal colours the status; a pipe gets no escape codes", async () => {
    server.on(LIST, (_req, res) => json(res, 200, THREE));
    const tty = await valar(["deploys", "ls"], { env: apiEnv(server), tty: true, columns: 200 });
    expect(tty.stdout).toContain("\u001b[31mfailed\u001b[39m");
    const piped = await valar(["deploys", "ls"], { env: apiEnv(server) });
    expect(piped.stdout).not.toContain("\u001b");
  });
});
