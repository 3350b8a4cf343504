import { describe, expect, it } from "vitest";
import { LineSplitter } from "../../../src/builds/lines.js";

describe("LineSplitter", () => {
  it("returns only newline-terminated lines and keeps the rest for later", () => {
    const s = new LineSplitter();
    expect(s.push(Buffer.from("one\ntw"))).toEqual(["one"]);
    expect(s.push(Buffer.from("o\nthr"))).toEqual(["two"]);
    expect(s.push(Buffer.from("ee"))).toEqual([]);
    expect(s.end()).toBe("three");
    expect(s.end()).toBeUndefined();
  });

  it("decodes a UTF-8 character split across chunks whole, byte by byte", () => {
    const bytes = Buffer.from("héllo ✓ 🚀\nnext\n");
    const s = new LineSplitter();
    const lines: string[] = [];
    for (const b of bytes) lines.push(...s.push(Uint8Array.of(b)));
    expect(lines).toEqual(["héllo ✓ 🚀", "next"]);
    expect(s.end()).toBeUndefined();
  });

  it("strips a CR before the newline and keeps empty lines", () => {
    const s = new LineSplitter();
    expect(s.push(Buffer.from("a\r\n\r\n\nb\n"))).toEqual(["a", "", "", "b"]);
  });

  it("accepts a Uint8Array view into a larger buffer", () => {
    const backing = Buffer.from("xxline\nyy");
    const s = new LineSplitter();
    expect(s.push(new Uint8Array(backing.buffer, backing.byteOffset + 2, 5))).toEqual(["line"]);
  });
});
