import { describe, expect, it } from "vitest";
import { PassThrough } from "node:stream";
import { IOStreams } from "../../../src/output/io.js";
import { run as runLs } from "../../../src/commands/builds/ls.run.js";
import type { Ctx } from "../../../src/context.js";
import type { Build } from "../../../src/api/types.js";
import type { BuildsApi } from "../../../src/api/builds.js";

// `builds ls` on a terminal, which an e2e test cannot give the child process: an
// IOStreams over in-memory streams that claim to be a TTY of a given width.
const NOW = Date.parse("2026-01-10T12:00:00Z");

function terminal(columns: number, env: NodeJS.ProcessEnv = {}) {
  const out = Object.assign(new PassThrough(), { isTTY: true, columns });
  const err = Object.assign(new PassThrough(), { isTTY: true, columns });
  const io = new IOStreams({ stdout: out, stderr: err, stdin: () => new PassThrough(), env: { TERM: "xterm", ...env } });
  const read = (s: PassThrough) => () => (s.read() as Buffer | null)?.toString() ?? "";
  return { io, stdout: read(out), stderr: read(err) };
}

function ctxWith(io: IOStreams, builds: Build[]): Ctx {
  const api = { project: "p", service: "s", list: async () => builds } as unknown as BuildsApi;
  return { io, clock: { now: () => NOW, sleep: async () => {} }, builds: async () => api } as unknown as Ctx;
}

const builds: Build[] = [
  { id: "a1b2c3d4-e5f6-7890-abcd-ef1234567890", status: "done", error: "", createdAt: "2026-01-10T11:57:00Z" },
  {
    id: "b2c3d4e5-f6a7-8901-bcde-f12345678901",
    status: "failed",
    error: "constructor golang: go build ./... exited with status 2: main.go:3: undefined: x",
    createdAt: "2026-01-10T10:00:00Z",
  },
];

describe("builds ls on a terminal", () => {
  it("fits the table to the terminal width, shortening the error with …", async () => {
    const t = terminal(80, { NO_COLOR: "1" });
    expect(await runLs(ctxWith(t.io, builds), [], { limit: 20 })).toBe(0);
    const lines = t.stdout().trimEnd().split("\n");
    expect(lines[2]).toBe("b2c3d4e5-f6a7-8901-bcde-f12345678901  failed  2 hours ago    constructor golang…");
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines[2]).toHaveLength(80);
  });

  it("shows full IDs even when the terminal is narrow", async () => {
    const t = terminal(40, { NO_COLOR: "1" });
    await runLs(ctxWith(t.io, builds), [], { limit: 20 });
    expect(t.stdout()).toContain(builds[1]!.id);
  });

  it("colours the statuses and keeps the columns aligned", async () => {
    const t = terminal(200);
    await runLs(ctxWith(t.io, builds), [], { limit: 20 });
    const lines = t.stdout().trimEnd().split("\n");
    expect(lines[1]).toBe(`${builds[0]!.id}  \u001b[32mdone\u001b[39m    3 minutes ago`);
    expect(lines[2]).toContain(`${builds[1]!.id}  \u001b[31mfailed\u001b[39m  2 hours ago    constructor golang`);
  });

  it("NO_COLOR turns colour off on a terminal", async () => {
    const t = terminal(200, { NO_COLOR: "1" });
    await runLs(ctxWith(t.io, builds), [], { limit: 20 });
    expect(t.stdout()).not.toContain("\u001b[");
  });
});
