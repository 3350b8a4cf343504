import { setTimeout as delay } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { build, startBuildsServer, envFor } from "../helpers/builds-fixtures.js";
import type { FaultServer } from "../helpers/fault-server.js";
import { openPane, tmuxMissing, type Pane } from "../helpers/tmux.js";
import { jsonLine, startWaitServer, type WaitServer } from "../fixtures/wait-server.js";

/**
 * Tables and live lines in a real terminal at 40, 80 and 200 columns: nothing wraps, IDs
 * and times shorten before a column goes, STATUS always stays, and a resize leaves no
 * stale lines behind.
 */

if (tmuxMissing) console.warn(tmuxMissing);

const plain = (s: string) => s.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, "");
const FRAME = /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] /;

const BUILDS = [
  build("c3d4e5f6-a7b8-9012-cdef-123456789012", "running", 0.3),
  build("a1b2c3d4-e5f6-7890-abcd-ef1234567890", "done", 3),
  build("b2c3d4e5-f6a7-8901-bcde-f12345678901", "failed", 90, "bash build.sh exited with code 1: ERROR: tests failed: 3 of 12"),
];

describe.skipIf(Boolean(tmuxMissing))("fitting the terminal (tmux)", () => {
  let pane: Pane | undefined;
  let server: FaultServer | undefined;
  let waits: WaitServer | undefined;
  afterEach(async () => {
    await pane?.close();
    await server?.close();
    await waits?.close();
    pane = server = waits = undefined;
  });

  it.each([
    [40, /^c3d4e5f6 {2}running {2}\d+s ago$/, false],
    [80, /^b2c3d4e5 {2}failed {3}1h ago {3}bash build\.sh exited with code 1: ERROR: tests fail…$/, true],
    [200, /^b2c3d4e5-f6a7-8901-bcde-f12345678901 {2}failed {3}1 hour ago +bash build\.sh exited/, true],
  ])(
    "builds ls at %i columns: no row wraps, STATUS stays, shortening comes first",
    async (cols, row, withError) => {
      server = await startBuildsServer(BUILDS);
      pane = await openPane({ cols, rows: 20, env: envFor(server, { TZ: "UTC" }) });
      const r = await pane.run("valar builds ls").done;
      expect(r.exitCode).toBe(0);
      const lines = plain(r.raw).replace(/\r\n$/, "").split("\r\n");
      for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(cols);
      expect(JSON.stringify(lines[0])).toMatch(withError ? /^"ID +STATUS +CREATED +ERROR"$/ : /^"ID +STATUS +CREATED/);
      expect(
        lines.some((l) => row.test(l)),
        lines.join("\n"),
      ).toBe(true);
    },
    30_000,
  );

  it("builds ls into a pipe: ISO 8601 UTC times, not relative ones", async () => {
    server = await startBuildsServer(BUILDS);
    pane = await openPane({ cols: 80, rows: 20, env: envFor(server) });
    const r = await pane.run("valar builds ls | cat").done;
    expect(r.raw).toMatch(/a1b2c3d4-e5f6-7890-abcd-ef1234567890 {2}done {5}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
    expect(r.raw).not.toMatch(/ago|just now/);
  }, 30_000);

  it("watch at 40 columns: the header fits on one row", async () => {
    waits = await startWaitServer("running");
    pane = await openPane({ cols: 40, rows: 20, env: waits.env() });
    const run = pane.run("valar builds watch b1 --timeout 3s");
    const screen = await pane.waitFor(/build b1c2d3e4: running \(1m \d\ds\)/);
    for (const line of screen.split("\n")) expect([...line].length).toBeLessThanOrEqual(40);
    expect((await run.done).exitCode).toBe(124);
  }, 30_000);

  it("watch after the terminal narrows from 100 to 40 columns: no stale lines", async () => {
    waits = await startWaitServer("running");
    const w = waits;
    w.server.on(`GET ${w.logsPath}`, async (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      for (let i = 1; i <= 5; i++) res.write(jsonLine(i, `step ${i} ${"x".repeat(90)}`) + "\n");
    });
    pane = await openPane({ cols: 100, rows: 30, env: w.env() });
    const run = pane.run("clear; valar builds watch b1 --timeout 6s");
    await pane.waitFor(/step 5 x+/);
    await pane.resize(40, 30);
    await delay(1200);
    const live = (await pane.screen()).split("\n").filter((l) => l.trim() && !l.startsWith("$ "));
    // The live area alone: its header and the log lines under it, one row each.
    expect(live.length, live.join("\n")).toBeGreaterThan(1);
    expect(live[0]).toMatch(FRAME);
    expect(live[0]).toMatch(/build b1c2d3e4: running/);
    for (const line of live.slice(1)) expect(line, live.join("\n")).toMatch(/^ {2}step \d x+…$/);
    expect((await run.done).exitCode).toBe(124);
  }, 40_000);
});
