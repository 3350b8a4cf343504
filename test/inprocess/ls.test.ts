import { afterEach, describe, expect, it } from "vitest";
import { valar } from "../helpers/run-in-process.js";
import { json, type FaultServer } from "../helpers/fault-server.js";
import { BUILDS_PATH, TOKEN, build, apiEnv, paths, startBuildsServer } from "../helpers/builds-fixtures.js";

const ESC = "\u001b[";

const A = build("a1b2c3d4-e5f6-7890-abcd-ef1234567890", "done", 3);
const B = build("b2c3d4e5-f6a7-8901-bcde-f12345678901", "failed", 90, "constructor golang: go build exited with status 2\nmain.go:3: undefined: x");
const C = build("c3d4e5f6-a7b8-9012-cdef-123456789012", "running", 0.01);
const D = build("a1ffffff-0000-4000-8000-000000000000", "expired", 60 * 24 * 3);

let server: FaultServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function ls(args: string[], builds = [C, A, B, D], extraEnv: Record<string, string> = {}) {
  server = await startBuildsServer(builds);
  return valar(["builds", "ls", ...args], { env: apiEnv(server, extraEnv) });
}

describe("builds ls", () => {
  it("prints a plain aligned table, newest first, with full IDs, ISO 8601 UTC times and no escape codes off a TTY", async () => {
    const r = await ls([]);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split("\n");
    const iso = (b: typeof A) => b.createdAt.replace(/\.\d+Z$/, "Z");
    expect(lines[0]).toMatch(/^ID {36}STATUS {3}CREATED {15}ERROR$/);
    expect(lines[1]).toBe(`${C.id}  running  ${iso(C)}`);
    expect(lines[2]).toBe(`${A.id}  done     ${iso(A)}`);
    expect(lines[3]).toBe(`${B.id}  failed   ${iso(B)}  constructor golang: go build exited with status 2 main.go:3…`);
    expect(lines[4]).toBe(`${D.id}  expired  ${iso(D)}`);
    expect(lines).toHaveLength(5);
    expect(r.stdout + r.stderr).not.toContain(ESC);
    expect(r.stdout).not.toMatch(/[│─┌└]/);
    expect(r.stderr).toBe("");
    // what was sent: the list endpoint, authenticated
    expect(paths(server!)).toEqual([`GET ${BUILDS_PATH}`]);
    expect(server!.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("works under its alias `list`", async () => {
    server = await startBuildsServer([A]);
    const r = await valar(["builds", "list", "-q"], { env: apiEnv(server) });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(A.id);
  });

  it("colours statuses when colour is forced", async () => {
    const r = await ls([], [C, A, B, D], { FORCE_COLOR: "1" });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`${ESC}32mdone${ESC}39m`);
    expect(r.stdout).toContain(`${ESC}31mfailed${ESC}39m`);
    expect(r.stdout).toContain(`${ESC}36mrunning${ESC}39m`);
  });

  it("sends the prefix to the API and lists only its matches", async () => {
    const r = await ls(["a1", "-q"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split("\n")).toEqual([A.id, D.id]);
    expect(paths(server!)).toEqual([`GET ${BUILDS_PATH}/a1`]);
  });

  it("-q prints IDs only, one per line", async () => {
    const r = await ls(["-q"]);
    expect(r.stdout.split("\n")).toEqual([C.id, A.id, B.id, D.id]);
  });

  it("--status filters, with several comma-separated statuses", async () => {
    const r = await ls(["--status", "failed,expired", "-q"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split("\n")).toEqual([B.id, D.id]);
  });

  it("--status with a word the CLI does not know warns and still filters on it", async () => {
    const odd = build("d4e5f6a7-0000-4000-8000-000000000000", "queued", 1);
    const r = await ls(["--status", "queued", "-q"], [odd, A]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(odd.id);
    expect(r.stderr).toContain('warning: "queued" is not a status valar knows');
  });

  it.each([["done,,failed"], [""], ["done;failed"], ["1"]])("--status %j is a usage error and sends nothing", async (value) => {
    const r = await ls(["--status", value]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: option '--status <s\[,s\.\.\.\]>' argument .* is invalid/m);
    expect(r.stderr).toMatch(/^hint: see `valar builds ls --help`$/m);
    expect(server!.requests).toEqual([]);
  });

  it("-n limits the list and says on stderr that there are more", async () => {
    const r = await ls(["-n", "2"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split("\n")).toHaveLength(3);
    expect(r.stderr).toContain("showing 2 of 4 builds");
  });

  it("limits to 20 by default, and --all shows everything", async () => {
    const many = Array.from({ length: 25 }, (_, i) => build(`e${String(i).padStart(2, "0")}00000-0000-4000-8000-000000000000`, "done", i + 1));
    const r = await ls(["-q"], many);
    expect(r.stdout.split("\n")).toEqual(many.slice(0, 20).map((b) => b.id));
    await server!.close();
    const all = await ls(["-q", "--all"], many);
    expect(all.stdout.split("\n")).toEqual(many.map((b) => b.id));
  });

  it.each([["0"], ["-1"], ["abc"], ["2.5"]])("-n %s is a usage error and sends nothing", async (n) => {
    const r = await ls(["-n", n]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("error: option '-n, --limit <n>' argument");
    expect(r.stdout).toBe("");
    expect(server!.requests).toEqual([]);
  });

  it("--all together with -n is a usage error", async () => {
    const r = await ls(["--all", "-n", "3"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("cannot be used with");
  });

  it("--json prints the API objects after filter and limit, and nothing else", async () => {
    const r = await ls(["--json", "--status", "done,failed,expired", "-n", "2"]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([A, B]);
    expect(r.stderr).toBe("");
  });

  it("no builds: a friendly note on stderr, exit 0, nothing on stdout", async () => {
    const r = await ls([], []);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^No builds in p\/s yet\./);
  });

  it("no builds with --json: []", async () => {
    const r = await ls(["--json"], []);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it("no build matching the filter is not an error", async () => {
    const r = await ls(["--status", "pending"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("No builds with status pending in p/s.");
  });

  it("a prefix nothing matches: note, exit 0", async () => {
    server = await startBuildsServer([A]);
    server.on(`GET ${BUILDS_PATH}/ff`, (_req, res) => json(res, 200, []));
    const r = await valar(["builds", "ls", "ff"], { env: apiEnv(server) });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('No builds starting with "ff" in p/s.');
  });

  it("an invalid prefix exits 2 and sends nothing", async () => {
    const r = await ls(["a1/../x"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('error: invalid build ID prefix "a1/../x"');
    expect(server!.requests).toEqual([]);
  });
});
