import { Chalk } from "chalk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseLogEntry, renderLogLine } from "../../../src/logs/format.js";

const plain = new Chalk({ level: 0 });
const color = new Chalk({ level: 1 });
const entry = (fields: Record<string, unknown>) =>
  JSON.stringify({ timestamp: "2026-01-02T03:04:05Z", source: "PROCESS", stage: "", content: "hi", ...fields });

let tz: string | undefined;
beforeAll(() => {
  tz = process.env.TZ;
  process.env.TZ = "UTC";
});
afterAll(() => {
  process.env.TZ = tz;
});

describe("renderLogLine", () => {
  it("renders a PROCESS line as UTC time and content", () => {
    expect(renderLogLine(entry({ content: "compiling" }), { color: plain })).toBe("03:04:05Z compiling");
  });

  it("tags WRAPPER lines with their stage", () => {
    expect(renderLogLine(entry({ source: "WRAPPER", stage: "SETUP", content: "pull" }), { color: plain })).toBe("03:04:05Z [setup] pull");
    expect(renderLogLine(entry({ source: "WRAPPER", stage: "TURNDOWN", content: "bye" }), { color: plain })).toBe("03:04:05Z [turndown] bye");
    expect(renderLogLine(entry({ source: "WRAPPER", stage: "", content: "x" }), { color: plain })).toBe("03:04:05Z [platform] x");
  });

  it("shows UTC whatever the local time zone", () => {
    process.env.TZ = "Asia/Tokyo";
    try {
      expect(renderLogLine(entry({}), { color: plain })).toBe("03:04:05Z hi");
    } finally {
      process.env.TZ = "UTC";
    }
  });

  it("dims the time (and whole platform lines) when colour is on, and only then", () => {
    const out = renderLogLine(entry({ content: "go" }), { color });
    expect(out).toBe(`${color.dim("03:04:05Z")} go`);
    expect(out).toContain("\u001B[2m");
    expect(renderLogLine(entry({ source: "WRAPPER", stage: "SETUP", content: "x" }), { color })).toBe(
      `${color.dim("03:04:05Z")} ${color.dim("[setup] x")}`,
    );
  });

  it("--raw gives the content alone", () => {
    expect(renderLogLine(entry({ source: "WRAPPER", stage: "SETUP", content: "pull" }), { raw: true, color })).toBe("pull");
  });

  it("prints plain text and other JSON shapes as they are, raw or not", () => {
    const others = [
      "plain text",
      "",
      "{not json",
      '{"content":"no timestamp"}',
      entry({ content: 42 }),
      entry({ timestamp: "yesterday" }),
      JSON.stringify({ timestamp: "2026-01-02T03:04:05Z", content: "missing source and stage" }),
      "[1,2]",
      "null",
    ];
    for (const line of others) {
      expect(renderLogLine(line, { color })).toBe(line);
      expect(renderLogLine(line, { raw: true, color })).toBe(line);
    }
  });

  it("accepts a source it does not know, as build output", () => {
    expect(renderLogLine(entry({ source: "SIDECAR", content: "x" }), { color: plain })).toBe("03:04:05Z x");
    expect(parseLogEntry(entry({}))?.content).toBe("hi");
  });
});
