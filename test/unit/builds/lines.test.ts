import { describe, expect, it } from "vitest";
import { LineSplitter, splitLines } from "../../../src/builds/lines.js";

/** What one push (or end) delivers, decoded. */
function pushed(s: LineSplitter, chunk: Uint8Array): string[] {
  const out: string[] = [];
  s.push(chunk, (b, start, end) => void out.push(b.toString("utf8", start, end)));
  return out;
}

function ended(s: LineSplitter): string[] {
  const out: string[] = [];
  s.end((b, start, end) => void out.push(b.toString("utf8", start, end)));
  return out;
}

describe("LineSplitter", () => {
  it("delivers only newline-terminated lines and keeps the rest for later", () => {
    const s = new LineSplitter();
    expect(pushed(s, Buffer.from("one\ntw"))).toEqual(["one"]);
    expect(pushed(s, Buffer.from("o\nthr"))).toEqual(["two"]);
    expect(pushed(s, Buffer.from("ee"))).toEqual([]);
    expect(ended(s)).toEqual(["three"]);
    expect(ended(s)).toEqual([]);
  });

  it("keeps a UTF-8 character split across chunks whole, byte by byte", () => {
    const bytes = Buffer.from("héllo ✓ 🚀\nnext\n");
    expect(splitLines([...bytes].map((b) => Uint8Array.of(b)))).toEqual(["héllo ✓ 🚀", "next"]);
  });

  it("strips a CR before the newline and keeps empty lines", () => {
    expect(splitLines([Buffer.from("a\r\n\r\n\nb\n")])).toEqual(["a", "", "", "b"]);
  });

  it("accepts a Uint8Array view into a larger buffer", () => {
    const backing = Buffer.from("xxline\nyy");
    const s = new LineSplitter();
    expect(pushed(s, new Uint8Array(backing.buffer, backing.byteOffset + 2, 5))).toEqual(["line"]);
  });

  it("does not keep the caller's chunk: the partial rest is copied", () => {
    const chunk = Buffer.from("abc\nde");
    const s = new LineSplitter();
    pushed(s, chunk);
    chunk.fill(0x78);
    expect(pushed(s, Buffer.from("f\n"))).toEqual(["def"]);
  });
});
