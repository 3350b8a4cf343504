import { afterEach, describe, expect, it } from "vitest";
import { runValar } from "../helpers/cli.js";
import { json, type FaultServer } from "../helpers/fault-server.js";
import { BUILDS_PATH, TOKEN, build, envFor, paths, startBuildsServer } from "../helpers/builds-fixtures.js";

// The exit code of the real process, one case for each code of the contract's table; every
// case of each code runs in process (test/inprocess/exit-codes.test.ts).
const A = build("a1b2c3d4-e5f6-7890-abcd-ef1234567890", "done", 3);
const F = build("f0e1d2c3-0000-4000-8000-000000000000", "failed", 3);
const R = build("c3d4e5f6-0000-4000-8000-000000000000", "running", 1);

let server: FaultServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const answer = (status: number, error: string) => () => server!.on(`GET ${BUILDS_PATH}`, (_req, res) => json(res, status, { error }));

describe("the process exits with the contract's code", () => {
  it.each([
    { code: 0, args: ["builds", "ls", "-q"], stdout: `${R.id}\n${F.id}\n${A.id}` },
    { code: 1, args: ["builds", "ls"], route: answer(409, "service is being deleted"), stderr: /^error: .*service is being deleted/ },
    { code: 2, args: ["builds", "inspect", "a1;rm"], stderr: /^error: invalid build ID prefix/, sends: false },
    { code: 3, args: ["builds", "status", "f0"], stdout: "failed" },
    { code: 4, args: ["builds", "ls"], env: { VALAR_TOKEN: undefined }, stderr: /^error: not logged in/, sends: false },
    { code: 5, args: ["builds", "ls"], route: answer(404, "service not found"), stderr: /^error: .*service not found/ },
    { code: 6, args: ["builds", "ls"], route: answer(200, "not a list"), stderr: /^error: / },
    { code: 8, args: ["builds", "status", "c3"], stdout: "running" },
  ])("$code: valar $args", async ({ code, args, route, env, stdout, stderr, sends = true }) => {
    server = await startBuildsServer([R, F, A]);
    route?.();
    const r = await runValar(args, { env: envFor(server, env) });
    expect(r.exitCode, r.stderr).toBe(code);
    if (stdout !== undefined) expect(r.stdout).toBe(stdout);
    if (stderr) expect(r.stderr).toMatch(stderr);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).not.toContain(TOKEN);
    expect(server.requests.length > 0).toBe(sends);
  });
});

describe("stdin from a real pipe", () => {
  it("- reads a build ID prefix from it", async () => {
    server = await startBuildsServer([A]);
    const r = await runValar(["builds", "status", "-"], { env: envFor(server), stdin: "pipe", input: `${A.id}\nignored\n` });
    expect([r.exitCode, r.stdout]).toEqual([0, "done"]);
    expect(paths(server)).toEqual([`GET ${BUILDS_PATH}/${A.id}`]);
  });

  it("auth login reads the token from it", async () => {
    server = await startBuildsServer([]);
    server.on("GET /users/info", (req, res) => json(res, req.headers.authorization === `Bearer ${TOKEN}` ? 200 : 401, { name: "ada", projects: [] }));
    const r = await runValar(["auth", "login"], { env: envFor(server, { VALAR_TOKEN: undefined }), stdin: "pipe", input: `${TOKEN}\n` });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(`logged in to ${server.endpoint} as ada`);
  });
});
