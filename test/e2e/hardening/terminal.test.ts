import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../helpers/cli.js";
import { json, requestsTo, stall, type FaultServer } from "../../helpers/fault-server.js";
import { BUILDS_PATH, PROJECT, SERVICE, build, envFor, startBuildsServer } from "../../helpers/builds-fixtures.js";
import { ESC, SPINNER_FRAMES, openPane, tmuxMissing, type Pane } from "../../helpers/tmux.js";
import { BUILD_ID, scriptedWaitServer, startWaitServer, type WaitServer } from "../../fixtures/wait-server.js";

if (tmuxMissing) console.warn(tmuxMissing);

const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, "");
const linesOf = (raw: string) =>
  stripAnsi(raw)
    .split("\r\n")
    .filter((l) => l !== "");
const width = (line: string) => [...line].length;

let pane: Pane | undefined;
afterEach(async () => {
  await pane?.close();
  pane = undefined;
});

describe.skipIf(Boolean(tmuxMissing))("narrow terminals never wrap a table (tmux)", () => {
  const builds = [
    build("0f1e2d3c-4b5a-4697-8877-665544332211", "running", 3),
    build("a1b2c3d4-e5f6-4789-9abc-def012345678", "failed", 14, "go build ./... exited with status 2: undefined: handler in main.go line 12"),
    build("b2c3d4e5-f6a7-4890-abcd-ef1234567890", "done", 60 * 26),
  ];
  const deploys = [
    { version: 13, status: "running", build: builds[2]!.id, createdAt: builds[0]!.createdAt, error: "" },
    {
      version: 12,
      status: "failed",
      build: builds[1]!.id,
      createdAt: builds[1]!.createdAt,
      error: "health check failed after 30 s: connection refused on :8080",
    },
  ];
  let server: FaultServer;
  beforeAll(async () => {
    server = await startBuildsServer(builds);
    server.on(`GET /projects/${PROJECT}/services/${SERVICE}/deploys`, (_req, res) => json(res, 200, deploys));
  });
  afterAll(() => server.close());

  /** The lines a command wrote in a terminal `cols` wide, each checked to fit it. */
  async function fitted(command: string, cols: number): Promise<string[]> {
    pane = await openPane({ env: envFor(server), cols });
    const r = await pane.run(command).done;
    expect(r.exitCode).toBe(0);
    const lines = linesOf(r.raw);
    for (const line of lines) expect(width(line)).toBeLessThanOrEqual(cols);
    return lines;
  }

  it.each([60, 40])("builds ls at %i columns: IDs and CREATED shorten, then ERROR is cut; STATUS stays", async (cols) => {
    const lines = await fitted("valar builds ls", cols);
    expect(lines).toHaveLength(4);
    // 8 characters of an ID are still a prefix every command takes.
    builds.forEach((b, i) => expect(lines[i + 1]!.startsWith(`${b.id.slice(0, 8)}  `)).toBe(true));
    expect(lines[0]).toMatch(/^ID +STATUS +CREATED +ERROR$/);
    expect(lines[1]).toMatch(/ running +3m ago$/);
    expect(lines[2]).toMatch(/ failed +14m ago +go build .*…$/);
    expect(lines[3]).toMatch(/ done +1d ago$/);
  });

  it.each([60, 40])("deploys ls at %i columns fits too", async (cols) => {
    const lines = await fitted("valar deploys ls", cols);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^13 +running +b2c3d4e5/);
  });
});

describe.skipIf(Boolean(tmuxMissing))("NO_COLOR at a terminal (tmux)", () => {
  let srv: WaitServer;
  afterEach(() => srv?.close());

  it("submit -w shows plain progress lines, one per status change, and no escape code", async () => {
    // One status a read, so the real 1.5 s poll sees each of them.
    srv = await scriptedWaitServer(["pending", "running", "done"]);
    const s = srv;
    s.server.on(`POST ${BUILDS_PATH}`, (_req, res) => {
      json(res, 200, { id: BUILD_ID, status: "pending", createdAt: s.build.createdAt, deployment: "" });
    });
    pane = await openPane({ env: s.env({ NO_COLOR: "1" }) });
    const r = await pane.run("valar builds submit --artifact art-1 -c shell -w").done;
    expect(r.exitCode).toBe(0);
    expect(r.raw).not.toMatch(ESC);
    const lines = linesOf(r.raw);
    expect(lines.filter((l) => /^build b1c2d3e4-\S+: pending \(/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /^build b1c2d3e4-\S+: running \(/.test(l))).toHaveLength(1);
    expect(lines.at(-1)).toMatch(/^(✓|ok) build b1c2d3e4 done in /);
  });
});

describe.skipIf(Boolean(tmuxMissing))("packing a large directory (tmux)", () => {
  let server: FaultServer;
  beforeAll(async () => {
    server = (await startWaitServer("pending")).server;
    server.on(`POST /projects/${PROJECT}/services/${SERVICE}/artifacts`, stall);
  });
  afterAll(() => server.close());

  function bigDirectory(): string {
    const dir = tempDir("valar-big-");
    mkdirSync(join(dir, "data"));
    // Random bytes do not compress: packing takes a while, time for the spinner and a Ctrl-C.
    for (let i = 0; i < 12; i++) writeFileSync(join(dir, "data", `blob${i}`), randomBytes(8 * 1024 * 1024));
    return dir;
  }

  it("the spinner keeps turning while it packs; Ctrl-C then stops it at once: nothing was submitted", async () => {
    pane = await openPane({ env: envFor(server), cwd: bigDirectory() });
    const p = pane;
    const { done } = p.run("valar builds submit -c shell");
    // The packing line counts files and bytes as they are packed.
    await p.waitFor(/packing \d+ files? · \d+\.\d MiB/, { timeoutMs: 30_000 });
    // Several distinct frames drawn: the event loop was free to animate during the packing.
    const deadline = Date.now() + 30_000;
    const frames = () => new Set(p.raw().match(new RegExp(SPINNER_FRAMES.source, "g")) ?? []).size;
    while (frames() < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(frames()).toBeGreaterThanOrEqual(4);
    expect(await p.screen()).toMatch(/packing \d+ files? · \d+\.\d MiB/);
    await p.keys("C-c");
    const r = await done;
    expect(r.exitCode).toBe(130);
    expect(stripAnsi(r.raw)).toMatch(/interrupted; nothing was submitted/);
    expect(requestsTo(server, `POST /projects/${PROJECT}/services/${SERVICE}/artifacts`)).toEqual([]);
    expect(await p.cursorVisible()).toBe(true);
  }, 90_000);
});
