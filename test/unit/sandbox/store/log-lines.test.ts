import { describe, expect, it } from "vitest";
import { logEntryLines, MAX_LOG_LINE_BYTES } from "../../../../src/sandbox/store/log-lines.js";

const entry = (content: string) => ({ timestamp: "2026-01-01T00:00:00.000Z", source: "PROCESS", stage: "", content }) as const;

describe("logEntryLines", () => {
  it("keeps a short entry on one line", () => {
    expect(logEntryLines(entry("hello"))).toEqual([JSON.stringify(entry("hello")) + "\n"]);
  });

  const long: [string, string][] = [
    ["plain ASCII", "a".repeat(200_000)],
    ["characters JSON escapes", '"\\'.repeat(50_000)],
    ["control characters", "\u0001\t".repeat(40_000)],
    ["multi-byte characters", "é€".repeat(40_000)],
    ["astral characters", "😀x".repeat(40_000)],
    ["a line just over the limit", "b".repeat(MAX_LOG_LINE_BYTES - 60)],
  ];
  for (const [name, content] of long) {
    it(`splits ${name} so each JSON line with its newline is at most 64 KiB, losing nothing`, () => {
      const lines = logEntryLines(entry(content));
      expect(lines.length).toBeGreaterThan(1);
      for (const line of lines) {
        expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_LOG_LINE_BYTES);
        expect(line.endsWith("\n")).toBe(true);
        expect(line.slice(0, -1)).not.toContain("\n");
      }
      const parsed = lines.map((l) => JSON.parse(l));
      expect(parsed.map((e) => e.content).join("")).toBe(content);
      expect(parsed.every((e) => e.source === "PROCESS" && e.timestamp === "2026-01-01T00:00:00.000Z")).toBe(true);
      // Full pieces, not crumbs: all but the last use most of the room.
      for (const line of lines.slice(0, -1)) expect(Buffer.byteLength(line)).toBeGreaterThan(MAX_LOG_LINE_BYTES - 8);
    });
  }
});
