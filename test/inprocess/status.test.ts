import { afterEach, describe, expect, it } from "vitest";
import { valar } from "../helpers/run-in-process.js";
import { json, type FaultServer } from "../helpers/fault-server.js";
import { BUILDS_PATH, build, apiEnv, paths, startBuildsServer } from "../helpers/builds-fixtures.js";

let server: FaultServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ID = "a1b2c3d4-e5f6-7890-abcd-ef1234567890";

describe("builds status", () => {
  it.each([
    ["done", 0],
    ["failed", 3],
    ["expired", 3],
    ["pending", 8],
    ["running", 8],
    ["paused-by-admin", 3],
  ])("prints %s on stdout and exits %i", async (status, code) => {
    server = await startBuildsServer([build(ID, status, 1)]);
    const r = await valar(["builds", "status", "a1b2"], { env: apiEnv(server) });
    expect(r.exitCode).toBe(code);
    expect(r.stdout).toBe(status);
    expect(r.stderr).toBe("");
    expect(paths(server)).toEqual([`GET ${BUILDS_PATH}/a1b2`]);
  });

  it("--json prints the build object and keeps the exit code", async () => {
    const b = build(ID, "failed", 1, "boom");
    server = await startBuildsServer([b]);
    const r = await valar(["builds", "status", "a1", "--json"], { env: apiEnv(server) });
    expect(r.exitCode).toBe(3);
    expect(JSON.parse(r.stdout)).toEqual(b);
  });

  it("colours the word when colour is forced", async () => {
    server = await startBuildsServer([build(ID, "done", 1)]);
    const r = await valar(["builds", "status", "a1"], { env: apiEnv(server, { FORCE_COLOR: "1" }) });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("\u001b[32mdone\u001b[39m");
  });

  it("a 404 exits 5", async () => {
    server = await startBuildsServer([]);
    server.on(`GET ${BUILDS_PATH}/a1`, (_req, res) => json(res, 404, { error: "service not found" }));
    const r = await valar(["builds", "status", "a1"], { env: apiEnv(server) });
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toMatch(/^error: .*service not found/m);
    expect(r.stdout).toBe("");
  });

  it("a 403 exits 4", async () => {
    server = await startBuildsServer([]);
    server.on(`GET ${BUILDS_PATH}/a1`, (_req, res) => json(res, 403, { error: "forbidden" }));
    const r = await valar(["builds", "status", "a1"], { env: apiEnv(server) });
    expect(r.exitCode).toBe(4);
  });
});
