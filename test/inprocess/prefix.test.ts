import { afterEach, describe, expect, it } from "vitest";
import { valar } from "../helpers/run-in-process.js";
import { json, type FaultServer } from "../helpers/fault-server.js";
import { BUILDS_PATH, build, apiEnv, paths, startBuildsServer } from "../helpers/builds-fixtures.js";

const A1 = build("a1b2c3d4-e5f6-7890-abcd-ef1234567890", "done", 3);
const A2 = build("a1b2ffff-0000-4000-8000-000000000000", "failed", 60);
const A3 = build("a1", "running", 0); // an ID that is exactly a prefix of the others
const B = build("b2c3d4e5-f6a7-8901-bcde-f12345678901", "pending", 1);

let server: FaultServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("build ID prefixes", () => {
  it("a unique prefix resolves to its build", async () => {
    server = await startBuildsServer([B, A1, A2]);
    const r = await valar(["builds", "status", "b"], { env: apiEnv(server) });
    expect(r.exitCode).toBe(8);
    expect(r.stdout).toBe("pending");
    expect(paths(server)).toEqual([`GET ${BUILDS_PATH}/b`]);
  });

  it("an ambiguous prefix exits 5 and lists the candidates (id, status, age) on stderr", async () => {
    server = await startBuildsServer([B, A1, A2]);
    const r = await valar(["builds", "inspect", "a1b2"], { env: apiEnv(server) });
    expect(r.exitCode).toBe(5);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")).toEqual([
      'error: "a1b2" matches 2 builds:',
      `  ${A1.id}  done    3 minutes ago`,
      `  ${A2.id}  failed  1 hour ago`,
      "hint: give more characters of the ID",
    ]);
    // nothing is inspected when the prefix is ambiguous
    expect(paths(server)).toEqual([`GET ${BUILDS_PATH}/a1b2`]);
  });

  it("several matches, one of them exactly the prefix: that one", async () => {
    server = await startBuildsServer([A3, A1, A2]);
    const r = await valar(["builds", "status", "a1"], { env: apiEnv(server) });
    expect(r.stdout).toBe("running");
    expect(r.exitCode).toBe(8);
  });

  it("no match exits 5 saying so", async () => {
    server = await startBuildsServer([A1]);
    server.on(`GET ${BUILDS_PATH}/ff`, (_req, res) => json(res, 200, []));
    const r = await valar(["builds", "inspect", "ff"], { env: apiEnv(server) });
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toContain('error: no build matches "ff" in p/s');
  });

  it("a server that ignores the prefix still cannot make the wrong build match", async () => {
    server = await startBuildsServer([A1]);
    server.on(`GET ${BUILDS_PATH}/b2`, (_req, res) => json(res, 200, [A1]));
    const r = await valar(["builds", "status", "b2"], { env: apiEnv(server) });
    expect(r.exitCode).toBe(5);
    expect(r.stdout).toBe("");
  });

  it.each([["a1/b2"], ["a1?x=1"], ["ä1"], ["a b"], [""], ["../inspect"], ["%2e%2e"]])(
    "the invalid prefix %j exits 2 and sends nothing",
    async (prefix) => {
      server = await startBuildsServer([A1]);
      for (const cmd of ["inspect", "status", "ls"]) {
        const r = await valar(["builds", cmd, prefix], { env: apiEnv(server) });
        expect(r.exitCode).toBe(2);
        expect(r.stderr).toMatch(/^error: invalid build ID prefix /m);
        expect(r.stderr).toMatch(/^hint: /m);
        expect(r.stdout).toBe("");
      }
      expect(server.requests).toEqual([]);
    },
  );

  it("- reads the prefix from the first line of stdin", async () => {
    server = await startBuildsServer([B, A1]);
    const r = await valar(["builds", "status", "-"], { env: apiEnv(server), input: `${A1.id}\nignored\n` });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("done");
    expect(paths(server)).toEqual([`GET ${BUILDS_PATH}/${A1.id}`]);
  });

  it("- works for inspect and ls too (a line without a newline is fine)", async () => {
    server = await startBuildsServer([B, A1]);
    const inspect = await valar(["builds", "inspect", "-", "--json"], { env: apiEnv(server), input: "b2c3" });
    expect(inspect.exitCode).toBe(0);
    expect(JSON.parse(inspect.stdout).id).toBe(B.id);
    const ls = await valar(["builds", "ls", "-", "-q"], { env: apiEnv(server), input: "a1\r\n" });
    expect(ls.stdout).toBe(A1.id);
  });

  it("- with empty stdin exits 2 and sends nothing", async () => {
    server = await startBuildsServer([A1]);
    const r = await valar(["builds", "status", "-"], { env: apiEnv(server), input: "" });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("error: no build ID on stdin");
    expect(server.requests).toEqual([]);
  });

  it("- with an invalid line on stdin exits 2 and sends nothing", async () => {
    server = await startBuildsServer([A1]);
    const r = await valar(["builds", "inspect", "-"], { env: apiEnv(server), input: "not an id\n" });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('error: invalid build ID prefix "not an id"');
    expect(server.requests).toEqual([]);
  });
});
