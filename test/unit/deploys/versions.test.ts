import { describe, expect, it } from "vitest";
import { ExitCode, type ValarError } from "../../../src/errors.js";
import { newestFirst, parseVersion, pickRollbackTarget } from "../../../src/deploys/versions.js";
import type { Deploy } from "../../../src/api/types.js";

const d = (version: number): Deploy => ({ version, status: "done", build: `b${version}`, error: "", createdAt: "2026-01-01T00:00:00Z" });
const exitOf = (fn: () => unknown): number | undefined => {
  try {
    fn();
  } catch (err) {
    return (err as ValarError).exitCode;
  }
  return undefined;
};

describe("deployment versions", () => {
  it("parses 12 and v12; anything else is a usage error", () => {
    expect(parseVersion("12")).toBe(12);
    expect(parseVersion("v12")).toBe(12);
    for (const bad of ["", "v", "1.5", "-1", "12a", "9999999999999999"])
      expect(
        exitOf(() => parseVersion(bad)),
        bad,
      ).toBe(ExitCode.USAGE);
  });

  it("orders newest first by version, whatever order the API used", () => {
    expect(newestFirst([d(1), d(3), d(2)]).map((x) => x.version)).toEqual([3, 2, 1]);
  });

  it("picks the one before the newest, N back with delta, or the named version", () => {
    const list = [d(1), d(2), d(3)];
    expect(pickRollbackTarget(list, { delta: 1 }, "p/s").version).toBe(2);
    expect(pickRollbackTarget(list, { delta: 2 }, "p/s").version).toBe(1);
    expect(pickRollbackTarget(list, { version: 3, delta: 1 }, "p/s").version).toBe(3);
  });

  it("unknown version → exit 5; too few deployments → exit 1", () => {
    expect(exitOf(() => pickRollbackTarget([d(1), d(2)], { version: 7, delta: 1 }, "p/s"))).toBe(ExitCode.NOT_FOUND);
    expect(exitOf(() => pickRollbackTarget([d(1)], { delta: 1 }, "p/s"))).toBe(ExitCode.FAILURE);
    expect(exitOf(() => pickRollbackTarget([], { delta: 1 }, "p/s"))).toBe(ExitCode.FAILURE);
    expect(exitOf(() => pickRollbackTarget([d(1), d(2)], { delta: 2 }, "p/s"))).toBe(ExitCode.FAILURE);
  });
});
