import { afterEach, describe, expect, it } from "vitest";
import { parseSince } from "../../../src/commands/builds/logs.run.js";

const savedTz = process.env.TZ;
afterEach(() => {
  process.env.TZ = savedTz;
});

describe("--since", () => {
  it.each(["2026-03-01T10:00:00", "2026-03-01 10:00:00", "2026-03-01T10:00", "2026-03-01T10:00:00Z", "2026-03-01T11:00:00+01:00"])(
    "%s is 10:00 UTC on any machine: a timestamp without a zone is UTC",
    (text) => {
      // A machine far from UTC: JavaScript alone would read a zoneless time as local.
      process.env.TZ = "America/New_York";
      expect(parseSince(text, 0)).toBe(Date.UTC(2026, 2, 1, 10, 0, 0));
    },
  );

  it("a duration counts back from now", () => {
    expect(parseSince("10m", 3_600_000)).toBe(3_000_000);
  });
});
