import { describe, expect, it } from "vitest";
import { JsonDepthGuard, MAX_JSON_DEPTH } from "../../../src/api/json-depth.js";

const feed = (...parts: string[]) => {
  const guard = new JsonDepthGuard();
  return parts.every((p) => guard.feed(Buffer.from(p)));
};

describe("JsonDepthGuard", () => {
  it("passes what the API sends, and nesting up to the bound", () => {
    expect(feed(JSON.stringify([{ id: "a", status: "done", error: "x [ { [" }]))).toBe(true);
    expect(feed("[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH))).toBe(true);
    // Closed levels do not count: depth, not the number of brackets.
    expect(feed("[[]]".repeat(10_000))).toBe(true);
  });

  it("stops at the first bracket past the bound, across chunks", () => {
    expect(feed("[".repeat(MAX_JSON_DEPTH + 1))).toBe(false);
    expect(feed('{"a":'.repeat(20), "[".repeat(MAX_JSON_DEPTH - 19))).toBe(false);
  });

  it("does not count brackets inside strings, escaped quotes included, across chunks", () => {
    expect(feed(`["${"[".repeat(100)}\\"`, `${"{".repeat(100)}"]`)).toBe(true);
    expect(feed(`["\\\\"`, "[".repeat(MAX_JSON_DEPTH))).toBe(false);
  });
});
