import { describe, expect, it } from "vitest";
import { run as runLs } from "../../../src/commands/builds/ls.run.js";
import type { Ctx } from "../../../src/app/context.js";
import type { IOStreams } from "../../../src/output/io.js";
import type { Build } from "../../../src/api/types.js";
import type { BuildsApi } from "../../../src/api/builds.js";
import { ioDouble } from "../../helpers/io-double.js";

// `builds ls` on a terminal, which an e2e test cannot give the child process: the IO
// double's terminals of a given width.
const NOW = Date.parse("2026-01-10T12:00:00Z");

const terminal = (columns: number, env: NodeJS.ProcessEnv = {}) => ioDouble({ tty: true, columns, env });

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
  it("at 80 columns shortens IDs and times before it cuts the error", async () => {
    const t = terminal(80, { NO_COLOR: "1" });
    expect(await runLs(ctxWith(t.io, builds), [], { limit: 20 })).toBe(0);
    const lines = t.stdout().trimEnd().split("\n");
    expect(lines).toEqual([
      "ID        STATUS  CREATED  ERROR",
      "a1b2c3d4  done    3m ago",
      "b2c3d4e5  failed  2h ago   constructor golang: go build ./... exited with statu…",
    ]);
  });

  it("at 40 columns keeps short IDs, STATUS and CREATED and cuts ERROR; narrower, ERROR goes", async () => {
    const t = terminal(40, { NO_COLOR: "1" });
    await runLs(ctxWith(t.io, builds), [], { limit: 20 });
    expect(t.stdout().trimEnd().split("\n")).toEqual([
      "ID        STATUS  CREATED  ERROR",
      "a1b2c3d4  done    3m ago",
      "b2c3d4e5  failed  2h ago   constructor…",
    ]);
    const narrow = terminal(34, { NO_COLOR: "1" });
    await runLs(ctxWith(narrow.io, builds), [], { limit: 20 });
    expect(narrow.stdout().trimEnd().split("\n")).toEqual(["ID        STATUS  CREATED", "a1b2c3d4  done    3m ago", "b2c3d4e5  failed  2h ago"]);
  });

  it("at 200 columns shows everything in full", async () => {
    const t = terminal(200, { NO_COLOR: "1" });
    await runLs(ctxWith(t.io, builds), [], { limit: 20 });
    const lines = t.stdout().trimEnd().split("\n");
    expect(lines[2]).toBe(`${builds[1]!.id}  failed  2 hours ago    ${builds[1]!.error.slice(0, 59)}…`);
  });

  it("off a terminal prints absolute ISO 8601 UTC times, nothing shortened", async () => {
    const piped = ioDouble();
    await runLs(ctxWith(piped.io, builds), [], { limit: 20 });
    const lines = piped.stdout().trimEnd().split("\n");
    expect(lines[0]).toBe("ID                                    STATUS  CREATED               ERROR");
    expect(lines[1]).toBe(`${builds[0]!.id}  done    2026-01-10T11:57:00Z`);
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
