import { afterEach, describe, expect, it } from "vitest";
import { valar } from "../helpers/run-in-process.js";
import { testEnv } from "../helpers/test-env.js";
import { json, type FaultServer } from "../helpers/fault-server.js";
import { BUILDS_PATH, TOKEN, build, apiEnv, startBuildsServer } from "../helpers/builds-fixtures.js";

// The contract's exit-code table, case by case, for the commands that read builds.
const A = build("a1b2c3d4-e5f6-7890-abcd-ef1234567890", "done", 3);
const F = build("f0e1d2c3-0000-4000-8000-000000000000", "failed", 3);
const A2 = build("a1b2ffff-0000-4000-8000-000000000000", "running", 3);

let server: FaultServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Every error is `error: …` on stderr, maybe a hint, never a stack trace. */
function expectOneError(stderr: string): void {
  expect(stderr).toMatch(/^error: /);
  expect(stderr).not.toMatch(/^\s+at /m);
}

describe("exit codes", () => {
  it("0: success", async () => {
    server = await startBuildsServer([A]);
    const r = await valar(["builds", "ls", "-q"], { env: apiEnv(server) });
    expect(r.exitCode).toBe(0);
  });

  it("1: a 4xx the other codes do not cover", async () => {
    server = await startBuildsServer([]);
    server.on(`GET ${BUILDS_PATH}`, (_req, res) => json(res, 409, { error: "service is being deleted" }));
    const r = await valar(["builds", "ls"], { env: apiEnv(server) });
    expect(r.exitCode).toBe(1);
    expectOneError(r.stderr);
    expect(r.stderr).toContain("service is being deleted");
  });

  describe("2: usage errors, with nothing sent", () => {
    it.each([
      ["a missing required argument", ["builds", "inspect"], /error: missing required argument 'prefix'/],
      ["excess arguments", ["builds", "status", "a1", "b2"], /error: too many arguments for 'status'/],
      ["excess arguments to ls", ["builds", "ls", "a1", "b2"], /error: too many arguments for 'ls'/],
      ["an invalid option value", ["builds", "ls", "-n", "lots"], /error: option '-n, --limit <n>' argument 'lots' is invalid/],
      ["a missing option value", ["builds", "ls", "--limit"], /error: option '-n, --limit <n>' argument missing/],
      ["an unknown flag", ["builds", "inspect", "a1", "--verbose"], /error: unknown option '--verbose'/],
      ["an unknown command", ["builds", "show", "a1"], /error: unknown command 'show'/],
      ["conflicting flags", ["builds", "ls", "-q", "--json"], /error: option '-q, --quiet' cannot be used with option '--json'/],
      ["an invalid prefix", ["builds", "inspect", "a1;rm"], /error: invalid build ID prefix "a1;rm"/],
      ["an invalid project name", ["builds", "ls", "-p", "my_project"], /error: invalid project name "my_project"/],
    ])("%s", async (_what, args, message) => {
      server = await startBuildsServer([A]);
      const r = await valar(args, { env: apiEnv(server) });
      expect(r.exitCode).toBe(2);
      expect(r.stdout).toBe("");
      expectOneError(r.stderr);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/^hint: /m);
      expect(server.requests).toEqual([]);
    });

    it("no project or service configured", async () => {
      server = await startBuildsServer([A]);
      const r = await valar(["builds", "ls"], { env: apiEnv(server, { VALAR_PROJECT: undefined }) });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/^error: no project given/);
      expect(server.requests).toEqual([]);
    });
  });

  it("3: status of a build that is not done", async () => {
    server = await startBuildsServer([F]);
    const r = await valar(["builds", "status", "f0"], { env: apiEnv(server) });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toBe("");
  });

  describe("4: not authenticated", () => {
    it("no token: exit 4 before anything is sent", async () => {
      server = await startBuildsServer([A]);
      const r = await valar(["builds", "ls"], { env: apiEnv(server, { VALAR_TOKEN: undefined }) });
      expect(r.exitCode).toBe(4);
      expectOneError(r.stderr);
      expect(r.stderr).toMatch(/^hint: .*valar auth login/m);
      expect(server.requests).toEqual([]);
    });

    it.each([[401], [403]])("HTTP %i from ls, with --json: nothing on stdout", async (status) => {
      server = await startBuildsServer([]);
      server.on(`GET ${BUILDS_PATH}`, (_req, res) => json(res, status, { error: "token revoked" }));
      const r = await valar(["builds", "ls", "--json"], { env: apiEnv(server) });
      expect(r.exitCode).toBe(4);
      expect(r.stdout).toBe("");
      expectOneError(r.stderr);
      expect(r.stderr).not.toContain(TOKEN);
    });
  });

  describe("5: not found", () => {
    it("HTTP 404 from ls", async () => {
      server = await startBuildsServer([]);
      server.on(`GET ${BUILDS_PATH}`, (_req, res) => json(res, 404, { error: "service not found" }));
      const r = await valar(["builds", "ls"], { env: apiEnv(server) });
      expect(r.exitCode).toBe(5);
      expect(r.stderr).toContain("service not found");
    });

    it("an ambiguous prefix", async () => {
      server = await startBuildsServer([A, A2]);
      const r = await valar(["builds", "status", "a1b2"], { env: apiEnv(server) });
      expect(r.exitCode).toBe(5);
      expect(r.stdout).toBe("");
    });

    it("no match for inspect, with --json: nothing on stdout", async () => {
      server = await startBuildsServer([A]);
      server.on(`GET ${BUILDS_PATH}/b`, (_req, res) => json(res, 200, []));
      const r = await valar(["builds", "inspect", "b", "--json"], { env: apiEnv(server) });
      expect(r.exitCode).toBe(5);
      expect(r.stdout).toBe("");
    });
  });

  describe("6: the API answered something it does not document", () => {
    it("a list that is not JSON", async () => {
      server = await startBuildsServer([]);
      server.on(`GET ${BUILDS_PATH}`, (_req, res) => {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<html>captive portal</html>");
      });
      const r = await valar(["builds", "ls"], { env: apiEnv(server) });
      expect(r.exitCode).toBe(6);
      expectOneError(r.stderr);
    });

    it("a build without an id", async () => {
      server = await startBuildsServer([]);
      server.on(`GET ${BUILDS_PATH}/a1`, (_req, res) => json(res, 200, [{ status: "done", createdAt: A.createdAt }]));
      const r = await valar(["builds", "status", "a1"], { env: apiEnv(server) });
      expect(r.exitCode).toBe(6);
      expect(r.stdout).toBe("");
    });
  });

  it("a refused connection exits 6", async () => {
    // A port that was just free: nothing listens on it.
    const s = await startBuildsServer([]);
    const endpoint = s.endpoint;
    await s.close();
    const r = await valar(["builds", "ls"], {
      env: testEnv({ VALAR_ENDPOINT: endpoint, VALAR_TOKEN: TOKEN, VALAR_PROJECT: "p", VALAR_SERVICE: "s" }),
    });
    expect(r.exitCode).toBe(6);
    expectOneError(r.stderr);
  });
});
