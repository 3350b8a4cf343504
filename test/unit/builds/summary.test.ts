import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { buildSummary } from "../../../src/builds/summary.js";
import { IOStreams } from "../../../src/output/io.js";

const ID = "a1b2c3d4-e5f6-7890-abcd-ef1234567890";
const CREATED = "2026-01-10T12:00:00Z";
const NOW = Date.parse(CREATED) + 83_000;

function io(tty: boolean, env: Record<string, string> = {}) {
  const stream = () => Object.assign(new PassThrough(), { isTTY: tty, columns: 80 });
  return new IOStreams({ stdout: stream(), stderr: stream(), stdin: () => new PassThrough(), env: { TERM: "xterm", ...env } });
}

describe("buildSummary", () => {
  it("a done build: mark, short ID, duration since createdAt and the deployment", () => {
    const s = buildSummary(io(true, { NO_COLOR: "1" }), { id: ID, status: "done", error: "", createdAt: CREATED }, NOW, "v13");
    expect(s).toEqual({
      ok: true,
      line: "✓ build a1b2c3d4 done in 1m 23s · deployment v13",
      text: "build a1b2c3d4 done in 1m 23s · deployment v13",
      duration: "1m 23s",
    });
  });

  it("a failed build names its error on the line and its log in the hint", () => {
    const s = buildSummary(io(true, { NO_COLOR: "1" }), { id: ID, status: "failed", error: "go build\nexited 2", createdAt: CREATED }, NOW - 41_000);
    expect(s.line).toBe("✗ build a1b2c3d4 failed after 42s: go build exited 2");
    expect(s.hint).toBe(`see its log: valar builds logs ${ID}`);
  });

  it("off a terminal: plain words, no marks and no escape codes", () => {
    const done = buildSummary(io(false), { id: ID, status: "done", error: "", createdAt: CREATED }, NOW);
    expect(done.line).toBe("ok build a1b2c3d4 done in 1m 23s");
    const expired = buildSummary(io(false), { id: ID, status: "expired", error: "", createdAt: CREATED }, NOW);
    expect(expired.line).toBe("FAILED build a1b2c3d4 expired after 1m 23s");
  });

  it("colours the mark on a colour terminal", () => {
    const s = buildSummary(io(true), { id: ID, status: "done", error: "", createdAt: CREATED }, NOW);
    expect(s.line).toContain("\u001b[32m✓\u001b[39m");
  });

  it("server text cannot carry control sequences into the line", () => {
    const s = buildSummary(io(false), { id: ID, status: "failed", error: "boom\u001b]0;PWNED\u0007", createdAt: CREATED }, NOW);
    expect(s.line).not.toMatch(/[\u0000-\u001f]/);
  });
});
