import { afterEach, describe, expect, it } from "vitest";
import { valar } from "../helpers/run-in-process.js";
import { runValar } from "../helpers/cli.js";
import { json, startFaultServer, type FaultServer } from "../helpers/fault-server.js";
import { BUILDS_PATH, PROJECT, SERVICE, TOKEN, build, envFor, startBuildsServer } from "../helpers/builds-fixtures.js";

// The contract's "Streams, colour, machine output" section, checked on the builds commands.

const ID = "a1b2c3d4-0000-4000-8000-000000000001";
const ESC = "\u001B[";

let server: FaultServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Every builds command that prints data, with --json, against a build "a1…". */
const JSON_COMMANDS: Array<[string, string[]]> = [
  ["ls", ["builds", "ls", "--json"]],
  ["inspect", ["builds", "inspect", "a1", "--json"]],
  ["status", ["builds", "status", "a1", "--json"]],
  ["abort", ["builds", "abort", "a1", "--json"]],
  ["submit", ["builds", "submit", "--artifact", "art-1", "-c", "shell", "--json"]],
];

/** Every route those commands use answers `status` with an API error body. */
/** A builds server that also knows no build starts with "zz". */
async function buildsServerWithMiss(): Promise<FaultServer> {
  const s = await startBuildsServer([build(ID, "failed", 2)]);
  s.on(`GET ${BUILDS_PATH}/zz`, (_req, res) => json(res, 200, []));
  return s;
}

async function failingServer(status: number, error: string): Promise<FaultServer> {
  const s = await startFaultServer();
  const routes = [
    `GET ${BUILDS_PATH}`,
    `GET ${BUILDS_PATH}/a1`,
    `GET ${BUILDS_PATH}/${ID}/inspect`,
    `POST ${BUILDS_PATH}/${ID}/abort`,
    `POST ${BUILDS_PATH}`,
  ];
  for (const route of routes) s.on(route, (_req, res) => json(res, status, { error }));
  return s;
}

/** stderr of a failed command: exactly one `error:` line, maybe one `hint:` line, nothing else. */
function expectOneErrorLine(stderr: string): void {
  const lines = stderr.split("\n");
  expect(lines[0]).toMatch(/^error: \S/);
  expect(lines.length).toBeLessThanOrEqual(2);
  if (lines.length === 2) expect(lines[1]).toMatch(/^hint: \S/);
}

describe("--json on failure: stdout stays empty, stderr is one error line", () => {
  for (const [status, code] of [
    [401, 4],
    [404, 5],
    [409, 1],
    [500, 6],
  ] as const) {
    it.each(JSON_COMMANDS)(`HTTP ${status} → exit ${code}: %s`, async (_name, args) => {
      server = await failingServer(status, "computer says no");
      // In process: the fake clock runs the retries of a 500 without waiting.
      const r = await valar(args, { env: envFor(server) });
      expect(r.exitCode).toBe(code);
      expect(r.stdout).toBe("");
      expectOneErrorLine(r.stderr);
      expect(r.stderr).toContain("computer says no");
    });
  }
});

describe("--json on success: exactly one JSON document", () => {
  it.each(JSON_COMMANDS)("%s", async (_name, args) => {
    server = await startBuildsServer([build(ID, "running", 2)]);
    server.on(`POST ${BUILDS_PATH}/${ID}/abort`, (_req, res) => json(res, 200, {}));
    server.on(`POST ${BUILDS_PATH}`, (_req, res) =>
      json(res, 200, { id: ID, status: "pending", createdAt: "2026-01-01T00:00:00Z", deployment: "v2" }),
    );
    const r = await runValar(args, { env: envFor(server) });
    // status of a build that has not ended exits 8; the JSON is printed all the same.
    expect(r.exitCode).toBe(args[1] === "status" ? 8 : 0);
    const doc: unknown = JSON.parse(r.stdout);
    expect(doc).toBeTypeOf("object");
    expect(r.stdout.trimEnd().endsWith(Array.isArray(doc) ? "]" : "}")).toBe(true);
    // The API's own field names.
    const first = (Array.isArray(doc) ? doc[0] : doc) as Record<string, unknown>;
    expect(first.id).toBe(ID);
    expect(r.stdout).not.toContain(ESC);
  });
});

describe("errors carrying server text", () => {
  it("an API error message cannot put escape codes on the terminal", async () => {
    server = await failingServer(409, "no\u001B[2J\u001B[31m way\u0007");
    const r = await runValar(["builds", "ls"], { env: envFor(server) });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe("error: no[2J[31m way (HTTP 409)");
  });

  it("a multi-line API error message is shown on one error line", async () => {
    server = await failingServer(409, "conflict:\n  build is busy\n");
    const r = await runValar(["builds", "ls"], { env: envFor(server) });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe("error: conflict: build is busy (HTTP 409)");
  });

  it("a server that echoes the token in its error does not get it printed", async () => {
    server = await failingServer(401, `invalid token ${TOKEN}`);
    const r = await runValar(["builds", "ls"], { env: envFor(server) });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain("error: not authenticated: invalid token ***");
    expect(r.stderr + r.stdout).not.toContain(TOKEN);
  });

  it("a waiting command's verdict shows a multi-line build error on one line, without escape codes", async () => {
    server = await startBuildsServer([build(ID, "failed", 2, "compile failed:\n  main.go:3: \u001B[2Jboom\n")]);
    server.on(`GET ${BUILDS_PATH}/${ID}/logs`, (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("");
    });
    const r = await runValar(["builds", "logs", "-f", "a1"], { env: envFor(server) });
    expect(r.exitCode).toBe(3);
    expect(r.stderr.split("\n")).toEqual([
      // Ended before the command started, with no timestamped log entry: no duration. Its
      // (empty) log was just printed by -f: no hint to read it again.
      expect.stringMatching(new RegExp(`^FAILED build ${ID.slice(0, 8)} failed: compile failed: main\\.go:3: \\[2Jboom$`)),
    ]);
  });
});

describe("colour", () => {
  it("FORCE_COLOR wins over NO_COLOR, on stdout and stderr", async () => {
    server = await buildsServerWithMiss();
    const r = await runValar(["builds", "status", "a1"], { env: envFor(server, { NO_COLOR: "1", FORCE_COLOR: "1" }) });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toContain(ESC);
    const missing = await runValar(["builds", "status", "zz"], { env: envFor(server, { NO_COLOR: "1", FORCE_COLOR: "1" }) });
    expect(missing.exitCode).toBe(5);
    expect(missing.stderr).toContain(`${ESC}31merror:`);
  });

  it.each([
    ["NO_COLOR=1", { NO_COLOR: "1" }],
    ["FORCE_COLOR=0", { FORCE_COLOR: "0" }],
    ["nothing set (not a terminal)", {}],
  ])("no escape codes with %s", async (_name, extra: Record<string, string>) => {
    server = await buildsServerWithMiss();
    const ok = await runValar(["builds", "ls"], { env: envFor(server, extra) });
    expect(ok.exitCode).toBe(0);
    const missing = await runValar(["builds", "status", "zz"], { env: envFor(server, extra) });
    expect(missing.exitCode).toBe(5);
    expect(ok.stdout + ok.stderr + missing.stdout + missing.stderr).not.toContain("\u001B");
  });
});

describe("--debug on a builds command", () => {
  it.each([
    ["--debug after the subcommand", ["builds", "status", "a1", "--debug"], {}],
    ["--debug before it", ["--debug", "builds", "status", "a1"], {}],
    ["VALAR_DEBUG=1", ["builds", "status", "a1"], { VALAR_DEBUG: "1" }],
  ] as const)("%s traces each request and response status on stderr, token redacted", async (_n, args, extra) => {
    server = await startBuildsServer([build(ID, "done", 2)]);
    const r = await runValar([...args], { env: envFor(server, extra) });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("done");
    const url = `${server.endpoint}/projects/${PROJECT}/services/${SERVICE}/builds/a1`;
    expect(r.stderr).toContain(`→ GET ${url}`);
    expect(r.stderr).toMatch(new RegExp(`← 200 GET ${url.replace(/[.?]/g, "\\$&")}`));
    expect(r.stderr).toContain("authorization: Bearer ***");
    expect(r.stderr + r.stdout).not.toContain(TOKEN);
  });

  it("without it, nothing is traced", async () => {
    server = await startBuildsServer([build(ID, "done", 2)]);
    const r = await runValar(["builds", "status", "a1"], { env: envFor(server) });
    expect(r.stderr).toBe("");
  });
});
