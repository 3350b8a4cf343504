import { afterEach, describe, expect, it } from "vitest";
import { runValar } from "../helpers/cli.js";
import { json, type FaultServer } from "../helpers/fault-server.js";
import { BUILDS_PATH, DEPLOYS_PATH, TOKEN, build, envFor, inspectOf, paths, startBuildsServer } from "../helpers/builds-fixtures.js";

const A = build("a1b2c3d4-e5f6-7890-abcd-ef1234567890", "done", 3);
const F = build("f0e1d2c3-0000-4000-8000-000000000000", "failed", 120, "go build failed\nmain.go:3: undefined: x");

let server: FaultServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("builds inspect", () => {
  it("resolves the prefix, then prints the details as aligned key/value lines", async () => {
    server = await startBuildsServer([A, F], { [A.id]: inspectOf(A, { flags: "no-cache", owner: "ada" }) });
    const r = await runValar(["builds", "inspect", "a1b"], { env: envFor(server) });
    expect(r.exitCode).toBe(0);
    const created = new Date(Date.parse(A.createdAt))
      .toISOString()
      .replace("T", " ")
      .replace(/\.\d+Z$/, " UTC");
    expect(r.stdout.split("\n")).toEqual([
      `ID:          ${A.id}`,
      "Status:      done",
      "Project:     p",
      "Service:     s",
      "Constructor: golang",
      "Owner:       ada",
      `Created:     ${created} (3 minutes ago)`,
      "Flags:       no-cache",
    ]);
    expect(created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    expect(r.stderr).toBe("");
    // The log is read once for an ended build's duration: here it fails (500), so none is shown.
    expect(paths(server)).toEqual([
      `GET ${BUILDS_PATH}/a1b`,
      `GET ${BUILDS_PATH}/${A.id}/inspect`,
      `GET ${DEPLOYS_PATH}`,
      `GET ${BUILDS_PATH}/${A.id}/logs`,
    ]);
    for (const req of server.requests) expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("shows the error, all its lines, only when there is one", async () => {
    server = await startBuildsServer([A, F]);
    const r = await runValar(["builds", "inspect", "f0"], { env: envFor(server) });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("Status:      failed\n");
    // No flags: no Flags line (never a cryptic "-").
    expect(r.stdout).not.toMatch(/^Flags:/m);
    expect(r.stdout.endsWith("Error:       go build failed\n             main.go:3: undefined: x")).toBe(true);
  });

  it("shows the deployment the build became: the lowest version listed for it", async () => {
    server = await startBuildsServer([A, F]);
    const deploy = (version: number, build: string, status: string) => ({ version, build, status, error: "", createdAt: A.createdAt });
    server.on(`GET ${DEPLOYS_PATH}`, (_req, res) =>
      json(res, 200, [deploy(15, A.id, "done"), deploy(14, F.id, "failed"), deploy(13, A.id, "done"), deploy(12, "other", "done")]),
    );
    const r = await runValar(["builds", "inspect", "a1"], { env: envFor(server) });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^Deployment: {2}v13 \(done\)$/m);
    const none = await runValar(["builds", "inspect", "f0"], { env: envFor(server) });
    expect(none.stdout).toMatch(/^Deployment: {2}v14 \(failed\)$/m);
  });

  it("leaves the deployment out when the list cannot be read, and still shows the build", async () => {
    server = await startBuildsServer([A]);
    server.on(`GET ${DEPLOYS_PATH}`, (_req, res) => json(res, 403, { error: "forbidden" }));
    const r = await runValar(["builds", "inspect", "a1"], { env: envFor(server) });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^ID: +a1b2/);
    expect(r.stdout).not.toMatch(/^Deployment:/m);
  });

  it("never passes the server's control characters to the terminal", async () => {
    const evil = build("e0e1d2c3-0000-4000-8000-000000000000", "failed", 1, "\u001b[2J\u001b[31mfake\u0007");
    server = await startBuildsServer([evil], { [evil.id]: inspectOf(evil, { owner: "\u001b]0;title\u0007eve" }) });
    const r = await runValar(["builds", "inspect", "e0"], { env: envFor(server) });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(r.stdout).toContain("Owner:       ]0;titleeve\n");
    expect(r.stdout).toContain("Error:       [2J[31mfake");
    const ls = await runValar(["builds", "ls"], { env: envFor(server) });
    expect(ls.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    // and --json carries the same cleaned text: `jq -r .error` must not feed a terminal either
    const j = await runValar(["builds", "inspect", "e0", "--json"], { env: envFor(server) });
    expect(JSON.parse(j.stdout).error).toBe("[2J[31mfake");
  });

  it("--json prints the inspect object as the API sent it, and nothing else", async () => {
    const details = inspectOf(F, { flags: "x", owner: "bob" });
    server = await startBuildsServer([F], { [F.id]: details });
    const r = await runValar(["builds", "inspect", F.id, "--json"], { env: envFor(server) });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(details);
    expect(r.stderr).toBe("");
  });

  it("colours the status when colour is forced, and not otherwise", async () => {
    server = await startBuildsServer([F]);
    const coloured = await runValar(["builds", "inspect", "f0"], { env: envFor(server, { FORCE_COLOR: "1" }) });
    expect(coloured.stdout).toContain("\u001b[31mfailed\u001b[39m");
    const plain = await runValar(["builds", "inspect", "f0"], { env: envFor(server) });
    expect(plain.stdout + plain.stderr).not.toContain("\u001b[");
  });

  it("a 404 from inspect exits 5 with the API's message", async () => {
    server = await startBuildsServer([A]);
    server.on(`GET ${BUILDS_PATH}/${A.id}/inspect`, (_req, res) => json(res, 404, { error: "build not found" }));
    const r = await runValar(["builds", "inspect", "a1"], { env: envFor(server) });
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toMatch(/^error: .*build not found/m);
    expect(r.stdout).toBe("");
  });

  it("a 401 exits 4 with a hint naming the token's source (VALAR_TOKEN here), and never prints the token", async () => {
    server = await startBuildsServer([]);
    server.on(`GET ${BUILDS_PATH}/a1`, (_req, res) => json(res, 401, { error: "invalid token" }));
    const r = await runValar(["builds", "inspect", "a1"], { env: envFor(server) });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/^error: .*invalid token/m);
    expect(r.stderr).toMatch(/^hint: .*check or unset VALAR_TOKEN/m);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });
});
