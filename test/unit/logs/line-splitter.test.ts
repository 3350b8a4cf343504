import { describe, expect, it } from "vitest";
import { LineSplitter, MAX_LINE_BYTES, splitLines } from "../../../src/logs/line-splitter.js";

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

  describe("a line longer than MAX_LINE_BYTES", () => {
    // A 2-byte character straddles the limit; the line ends in CRLF; chunks of 300 KB.
    const long = Buffer.concat([Buffer.alloc(MAX_LINE_BYTES - 1, 0x61), Buffer.from("é"), Buffer.alloc(500_000, 0x62)]);
    const input = Buffer.concat([Buffer.from("before\n"), long, Buffer.from("\r\nafter\n")]);
    const chunks = Array.from({ length: Math.ceil(input.length / 300_000) }, (_, i) => input.subarray(i * 300_000, (i + 1) * 300_000));

    it("is cut on a character boundary, with its whole length", () => {
      const got: Array<[string, number | undefined]> = [];
      const s = new LineSplitter();
      for (const chunk of chunks) s.push(chunk, (b, start, end, n) => void got.push([b.toString("utf8", start, end), n]));
      expect(got.map(([text, n]) => [text.length, n])).toEqual([
        [6, undefined],
        [MAX_LINE_BYTES - 1, long.length],
        [5, undefined],
      ]);
      expect(got[1]![0]).not.toContain("\ufffd");
    });

    it("streams through in pieces, none longer than a chunk, byte for byte", () => {
      const pieces: Buffer[] = [];
      const lines: Array<[string, number | undefined]> = [];
      const s = new LineSplitter((b, start, end) => {
        expect(end - start).toBeLessThanOrEqual(MAX_LINE_BYTES);
        pieces.push(Buffer.from(b.subarray(start, end)));
      });
      for (const chunk of chunks) s.push(chunk, (b, start, end, n) => void lines.push([b.toString("utf8", start, end), n]));
      expect(Buffer.concat(pieces).equals(long)).toBe(true);
      expect(lines).toEqual([
        ["before", undefined],
        ["", long.length],
        ["after", undefined],
      ]);
    });
  });
});
