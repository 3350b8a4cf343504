import { afterEach, describe, expect, it } from "vitest";
import { valar } from "../helpers/run-in-process.js";
import type { FaultServer } from "../helpers/fault-server.js";
import { BUILDS_PATH, build, apiEnv, paths, startBuildsServer } from "../helpers/builds-fixtures.js";

let server: FaultServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("usage errors are one error line and one hint line", () => {
  it.each([
    [["builds", "lss"], "error: unknown command 'lss' (Did you mean ls?)", "hint: see `valar builds --help`"],
    [["builds", "ls", "--limt", "2"], "error: unknown option '--limt' (Did you mean --limit?)", "hint: see `valar builds ls --help`"],
  ])("%j", async (args, error, hint) => {
    const r = await valar(args);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")).toEqual([error, hint]);
  });
});

describe("an omitted optional prefix means the newest build", () => {
  it("logs prints the newest build's log", async () => {
    const newest = build("c3000000-0000-4000-8000-000000000003", "done", 1);
    const older = build("a1000000-0000-4000-8000-000000000001", "done", 9);
    server = await startBuildsServer([newest, older]);
    for (const b of [newest, older]) {
      server.on(`GET ${BUILDS_PATH}/${b.id}/logs`, (_req, res) => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end(`log of ${b.id}\n`);
      });
    }
    const r = await valar(["builds", "logs", "--raw"], { env: apiEnv(server) });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`log of ${newest.id}`);
    expect(paths(server)).toEqual([`GET ${BUILDS_PATH}`, `GET ${BUILDS_PATH}/${newest.id}/logs`]);
  });

  it("no builds at all: exit 5 saying so", async () => {
    server = await startBuildsServer([]);
    const r = await valar(["builds", "logs"], { env: apiEnv(server) });
    expect(r.exitCode).toBe(5);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")[0]).toBe("error: no builds in p/s yet");
  });
});

describe("logs that have expired", () => {
  it("204 on the newest build's log → exit 5, nothing on stdout", async () => {
    const b = build("c3000000-0000-4000-8000-000000000003", "done", 1);
    server = await startBuildsServer([b]);
    server.on(`GET ${BUILDS_PATH}/${b.id}/logs`, (_req, res) => {
      res.writeHead(204);
      res.end();
    });
    const r = await valar(["builds", "logs", "-f"], { env: apiEnv(server) });
    expect(r.exitCode).toBe(5);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: .*expired/);
  });
});
