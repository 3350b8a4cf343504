import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedEnv, runValar } from "../../helpers/cli.js";
import { json, startFaultServer, type FaultServer } from "../../helpers/fault-server.js";

const GOOD = "good-token-0123456789";
const BUILDS = "/projects/p/services/s/builds";

/** Hints for a rejected token name where it really came from. */
describe("a rejected token's hint names its source", () => {
  let server: FaultServer;
  beforeAll(async () => {
    server = await startFaultServer();
    const auth =
      (handler: Parameters<FaultServer["on"]>[1]): Parameters<FaultServer["on"]>[1] =>
      (req, res, body, n) =>
        req.headers.authorization === `Bearer ${GOOD}` ? handler(req, res, body, n) : json(res, 401, { error: "invalid token" });
    server.on(
      "GET /users/info",
      auth((_req, res) => json(res, 200, { name: "ada", projects: ["p"] })),
    );
    server.on(
      `GET ${BUILDS}`,
      auth((_req, res) => json(res, 200, [])),
    );
  });
  afterAll(() => server.close());

  const base = () => isolatedEnv({ VALAR_ENDPOINT: server.endpoint, VALAR_PROJECT: "p", VALAR_SERVICE: "s" });

  it("VALAR_TOKEN: check or unset VALAR_TOKEN (logging in again cannot help while it wins)", async () => {
    const r = await runValar(["builds", "ls"], { env: { ...base(), VALAR_TOKEN: "stale-token-000000" } });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/^hint: .*check or unset VALAR_TOKEN$/m);
    expect(r.stderr).not.toContain("auth login");
  });

  it("a stored token: valar auth login", async () => {
    const env = base();
    const login = await runValar(["auth", "login"], { env, stdin: "pipe", input: `${GOOD}\n` });
    expect(login.exitCode).toBe(0);
    // The server forgets the token: now it is rejected.
    server.on(`GET ${BUILDS}`, (_req, res) => json(res, 401, { error: "token revoked" }));
    const r = await runValar(["builds", "ls"], { env });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/^hint: .*`valar auth login`$/m);
    expect(r.stderr).not.toContain("VALAR_TOKEN");
  });

  it("Valar's Go CLI config: names that file and context", async () => {
    const env = isolatedEnv({ VALAR_PROJECT: "p", VALAR_SERVICE: "s" });
    mkdirSync(join(env.HOME!, ".valar"), { recursive: true });
    writeFileSync(
      join(env.HOME!, ".valar", "config"),
      [
        'version: ""',
        "activeContext: prod",
        "endpoints:",
        "  main:",
        "    token: old-go-token-0000",
        `    url: ${server.endpoint}`,
        "contexts:",
        "  prod:",
        "    endpoint: main",
        "    project: p",
        "",
      ].join("\n"),
    );
    const r = await runValar(["builds", "ls"], { env });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/^hint: .*~\/\.valar\/config, context prod/m);
    expect(r.stderr).not.toContain("VALAR_TOKEN");
  });
});
