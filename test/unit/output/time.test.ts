import { describe, expect, it } from "vitest";
import { absoluteTime, compactRelativeTime, formatDuration, formatElapsed, relativeTime } from "../../../src/output/time.js";

const NOW = Date.parse("2026-01-10T12:00:00Z");
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

describe("relativeTime", () => {
  it.each([
    [0, "just now"],
    [4, "just now"],
    [5, "5 seconds ago"],
    [59, "59 seconds ago"],
    [60, "1 minute ago"],
    [180, "3 minutes ago"],
    [3599, "59 minutes ago"],
    [3600, "1 hour ago"],
    [2 * 3600 + 59 * 60, "2 hours ago"],
    [24 * 3600, "1 day ago"],
    [3 * 24 * 3600, "3 days ago"],
    [45 * 24 * 3600, "1 month ago"],
    [400 * 24 * 3600, "1 year ago"],
    [800 * 24 * 3600, "2 years ago"],
  ])("%i seconds ago → %s", (seconds, text) => {
    expect(relativeTime(ago(seconds), NOW)).toBe(text);
  });

  it("a server clock slightly ahead still reads 'just now'", () => {
    expect(relativeTime(ago(-30), NOW)).toBe("just now");
  });

  it("a time clearly in the future says so", () => {
    expect(relativeTime(ago(-2 * 3600), NOW)).toBe("in 2 hours");
  });

  it("text that is not a date is shown as it is", () => {
    expect(relativeTime("yesterday-ish", NOW)).toBe("yesterday-ish");
    expect(relativeTime("", NOW)).toBe("");
  });

  it("accepts RFC 3339 with an offset", () => {
    expect(relativeTime("2026-01-10T13:57:00+02:00", NOW)).toBe("3 minutes ago");
  });
});

describe("absoluteTime", () => {
  it("prints UTC whatever the offset of the input", () => {
    expect(absoluteTime("2025-06-01T14:20:00Z")).toBe("2025-06-01 14:20:00 UTC");
    expect(absoluteTime("2025-06-01T16:20:00.123+02:00")).toBe("2025-06-01 14:20:00 UTC");
  });

  it("leaves text that is not a date alone", () => {
    expect(absoluteTime("soon")).toBe("soon");
  });
});

describe("formatElapsed", () => {
  it.each([
    [0, "0s"],
    [42_900, "42s"],
    [65_000, "1m 05s"],
    [2 * 3600_000 + 3 * 60_000, "2h 03m"],
    [-5, "0s"],
  ])("%i ms → %s", (ms, text) => {
    expect(formatElapsed(ms)).toBe(text);
  });
});

describe("compactRelativeTime", () => {
  const now = Date.parse("2026-01-10T12:00:00Z");
  it.each([
    ["2026-01-10T11:59:58Z", "now"],
    ["2026-01-10T11:59:30Z", "30s ago"],
    ["2026-01-10T11:57:00Z", "3m ago"],
    ["2026-01-10T10:00:00Z", "2h ago"],
    ["2026-01-08T12:00:00Z", "2d ago"],
    ["2026-01-10T12:05:00Z", "in 5m"],
    ["not a date", "not a date"],
  ])("%s → %s", (iso, text) => {
    expect(compactRelativeTime(iso, now)).toBe(text);
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0.0s"],
    [1_850, "1.9s"],
    [1_849, "1.8s"],
    [9_949, "9.9s"],
    [9_950, "10s"],
    [41_600, "42s"],
    [59_600, "1m 00s"],
    [83_000, "1m 23s"],
    [3_600_000 + 3 * 60_000 + 20_000, "1h 03m"],
  ])("%d ms → %s (rounded, never floored)", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
