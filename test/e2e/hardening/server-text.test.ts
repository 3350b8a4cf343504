import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runValar, tempDir } from "../../helpers/cli.js";
import { json, requestsTo, startFaultServer, type FaultServer } from "../../helpers/fault-server.js";
import { BUILDS_PATH, build, envFor } from "../../helpers/builds-fixtures.js";
import { openPane, tmuxMissing, type Pane } from "../../helpers/tmux.js";
import { BUILD_ID, startWaitServer, type WaitServer } from "../../fixtures/wait-server.js";

/**
 * A hostile server's text never reaches a terminal as control: a title change, a screen
 * clear, a bell or a right-to-left override in a name, an ID or a message is dropped (and
 * an ID that is not letters, digits and dashes is refused, exit 6).
 */

if (tmuxMissing) console.warn(tmuxMissing);

const HOSTILE = "\u001b]0;PWNED\u0007\u001b[2J\u202eevil\u2066";
const SHORT = BUILD_ID.slice(0, 8);

/** What must not appear in anything the CLI wrote: OSC, the screen clear, BEL, bidi controls. */
function expectNoControl(raw: string): void {
  expect(raw).not.toContain("\u001b]");
  expect(raw).not.toContain("\u001b[2J");
  expect(raw).not.toContain("\u0007");
  expect(raw).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/);
}

let server: FaultServer | undefined;
let srv: WaitServer | undefined;
let pane: Pane | undefined;
afterEach(async () => {
  await pane?.close();
  await server?.close();
  await srv?.close();
  pane = server = srv = undefined;
});

describe.skipIf(Boolean(tmuxMissing))("hostile server text at a terminal (tmux)", () => {
  it("auth status and auth login show the user and projects without their controls", async () => {
    server = await startFaultServer();
    server.on("GET /users/info", (_req, res) => json(res, 200, { name: `me${HOSTILE}`, projects: [`p${HOSTILE}`, "q"] }));
    pane = await openPane({ env: envFor(server) });
    const status = await pane.run("valar auth status").done;
    expect(status.exitCode).toBe(0);
    expect(status.raw).toContain("]0;PWNED");
    expectNoControl(status.raw);
    const login = await pane.run(`echo tok | valar auth login --endpoint ${server.endpoint}`).done;
    expect(login.exitCode).toBe(0);
    expect(login.raw).toContain("as me]0;PWNED");
    expectNoControl(login.raw);
  });

  it("builds ls -q refuses an ID that is not letters, digits and dashes (exit 6, one line)", async () => {
    server = await startFaultServer();
    server.on(`GET ${BUILDS_PATH}`, (_req, res) => json(res, 200, [build(`a1${HOSTILE}`, "done", 1)]));
    pane = await openPane({ env: envFor(server) });
    const r = await pane.run("valar builds ls -q").done;
    expect(r.exitCode).toBe(6);
    expect(r.raw).toMatch(/error:.*the API sent an unexpected response: a build's "id" is not letters, digits and dashes/);
    expectNoControl(r.raw);
  });

  it("the submit answer's deployment and abort's refusal lose their controls", async () => {
    srv = await startWaitServer("running");
    srv.server.on(`POST ${BUILDS_PATH}`, (_req, res) =>
      json(res, 200, { id: BUILD_ID, status: "pending", createdAt: new Date().toISOString(), deployment: `v1${HOSTILE}` }),
    );
    srv.server.on(`POST ${srv.abortPath}`, (_req, res) => json(res, 409, { error: `no${HOSTILE}` }));
    pane = await openPane({ env: srv.env() });
    const submit = await pane.run("valar builds submit --artifact k1 -c node").done;
    expect(submit.exitCode).toBe(0);
    expect(submit.raw).toContain(BUILD_ID);
    expect(submit.raw).toContain("v1]0;PWNED");
    expectNoControl(submit.raw);
    const abort = await pane.run(`valar builds abort ${SHORT}`).done;
    expect(abort.exitCode).toBe(1);
    expect(abort.raw).toContain("no]0;PWNED");
    expectNoControl(abort.raw);
  });

  it("a failed build's error and the hint to its log carry no control", async () => {
    srv = await startWaitServer("failed");
    srv.build.error = `boom${HOSTILE}`;
    srv.server.on(`GET ${srv.logsPath}`, (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" }).end(`out${HOSTILE}\n`);
    });
    pane = await openPane({ env: srv.env() });
    const r = await pane.run(`valar builds watch ${SHORT}`).done;
    expect(r.exitCode).toBe(3);
    expect(r.raw).toContain("boom]0;PWNED");
    expect(r.raw).toMatch(new RegExp(`valar builds logs ${BUILD_ID}`));
    expectNoControl(r.raw);
  });
});

describe("hostile server text off a terminal", () => {
  it("the submit answer with a hostile ID is refused: exit 6, nothing printed on stdout", async () => {
    server = await startFaultServer();
    server.on(`POST ${BUILDS_PATH}`, (_req, res) =>
      json(res, 200, { id: `${BUILD_ID}\n::add-mask::x`, status: "pending", createdAt: new Date().toISOString(), deployment: "v1" }),
    );
    const r = await runValar(["builds", "submit", "--artifact", "k1", "-c", "node"], { env: envFor(server, { GITHUB_ACTIONS: "true" }) });
    expect(r.exitCode).toBe(6);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n").filter((l) => l.startsWith("error:"))).toHaveLength(1);
    expect(r.stderr).not.toMatch(/^::/m);
  });

  it("GitHub Actions: a hostile ID injects no workflow command, a hostile error stays in one annotation", async () => {
    server = await startFaultServer();
    const id = "b1c2d3e4\n::add-mask::x\n::error::pwned";
    server.on(`GET ${BUILDS_PATH}/b1c2`, (_req, res) => json(res, 200, [build(id, "failed", 1)]));
    const summary = join(tempDir(), "summary.md");
    const env = envFor(server, { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary });
    const bad = await runValar(["builds", "watch", "b1c2"], { env });
    expect(bad.exitCode).toBe(6);
    expect(`${bad.stdout}\n${bad.stderr}`).not.toMatch(/^::/m);

    srv = await startWaitServer("failed");
    srv.build.error = `boom\n::add-mask::x\r\n${HOSTILE}`;
    const r = await runValar(["builds", "watch", SHORT], { env: srv.env({ GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary }) });
    expect(r.exitCode).toBe(3);
    const workflow = r.stderr.split("\n").filter((l) => l.startsWith("::"));
    expect(workflow).toHaveLength(1);
    expect(workflow[0]).toMatch(/^::error title=Valar build failed::.*boom ::add-mask::x \]0;PWNED\[2Jevil$/);
    expectNoControl(r.stderr);
    const md = readFileSync(summary, "utf8");
    expect(md).not.toMatch(/^::/m);
    expectNoControl(md);
  });

  it("submit --dry-run shows each file on one line, control characters escaped", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src", "a\nb.txt"), "x");
    writeFileSync(join(dir, "\u202etxt.exe"), "x");
    writeFileSync(join(dir, "plain.txt"), "x");
    symlinkSync("/etc", join(dir, "out\nside"));
    server = await startFaultServer();
    const r = await runValar(["builds", "submit", dir, "--dry-run", "-c", "node"], { env: envFor(server) });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split("\n").filter(Boolean).sort()).toEqual(["\\u202etxt.exe", "plain.txt", "src/a\\nb.txt"]);
    // The warning about the link that points outside names it on its one line too.
    expect(r.stderr.split("\n").filter((l) => l.startsWith("warning:"))).toEqual([expect.stringMatching(/^warning: skipping out\\nside: /)]);
    expect(requestsTo(server, `POST ${BUILDS_PATH}`)).toHaveLength(0);
  });
});
