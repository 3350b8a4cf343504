import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { buildSummary } from "../../../src/builds/summary.js";
import { IOStreams } from "../../../src/output/io.js";

const ID = "a1b2c3d4-e5f6-7890-abcd-ef1234567890";
const CREATED = "2026-01-10T12:00:00Z";
const TOOK = 83_000;

function io(tty: boolean, env: Record<string, string> = {}) {
  const stream = () => Object.assign(new PassThrough(), { isTTY: tty, columns: 80 });
  return new IOStreams({ stdout: stream(), stderr: stream(), stdin: () => new PassThrough(), env: { TERM: "xterm", ...env } });
}

describe("buildSummary", () => {
  it("a done build: mark, short ID, its duration and the deployment live", () => {
    const s = buildSummary(io(true, { NO_COLOR: "1" }), { id: ID, status: "done", error: "", createdAt: CREATED }, TOOK, {
      label: "v13",
      status: "done",
    });
    expect(s).toEqual({
      ok: true,
      line: "✓ build a1b2c3d4 done in 1m 23s · deployment v13 live",
      text: "build a1b2c3d4 done in 1m 23s · deployment v13 live",
      duration: "1m 23s",
      deployment: "v13 live",
    });
  });

  it("a failed build names its error on the line and no deployment", () => {
    const s = buildSummary(io(true, { NO_COLOR: "1" }), { id: ID, status: "failed", error: "go build\nexited 2", createdAt: CREATED }, 42_000, {
      label: "v3",
    });
    expect(s.line).toBe("✗ build a1b2c3d4 failed after 42s: go build exited 2");
    expect(s.deployment).toBe("not deployed");
  });

  it("a done build whose deployment failed is a failure naming the deployment and its error", () => {
    const s = buildSummary(io(false), { id: ID, status: "done", error: "", createdAt: CREATED }, 1_850, {
      label: "v4",
      status: "failed",
      error: "crashed",
    });
    expect(s.ok).toBe(false);
    expect(s.line).toBe("FAILED build a1b2c3d4 done in 1.9s, but deployment v4 failed: crashed");
  });

  it("no duration known: none is printed", () => {
    const s = buildSummary(io(false), { id: ID, status: "done", error: "", createdAt: CREATED }, undefined);
    expect(s.line).toBe("ok build a1b2c3d4 done");
  });

  it("TERM=dumb at a terminal: ASCII words and a dash, no marks", () => {
    const s = buildSummary(io(true, { TERM: "dumb" }), { id: ID, status: "done", error: "", createdAt: CREATED }, TOOK, {
      label: "v1",
      status: "done",
    });
    expect(s.line).toBe("ok build a1b2c3d4 done in 1m 23s - deployment v1 live");
  });

  it("off a terminal: plain words, no marks and no escape codes", () => {
    const done = buildSummary(io(false), { id: ID, status: "done", error: "", createdAt: CREATED }, TOOK);
    expect(done.line).toBe("ok build a1b2c3d4 done in 1m 23s");
    const expired = buildSummary(io(false), { id: ID, status: "expired", error: "", createdAt: CREATED }, TOOK);
    expect(expired.line).toBe("FAILED build a1b2c3d4 expired after 1m 23s");
  });

  it("colours the mark on a colour terminal", () => {
    const s = buildSummary(io(true), { id: ID, status: "done", error: "", createdAt: CREATED }, TOOK);
    expect(s.line).toContain("\u001b[32m✓\u001b[39m");
  });

  it("server text cannot carry control sequences into the line", () => {
    const s = buildSummary(io(false), { id: ID, status: "failed", error: "boom\u001b]0;PWNED\u0007", createdAt: CREATED }, TOOK);
    expect(s.line).not.toMatch(/[\u0000-\u001f]/);
  });
});
