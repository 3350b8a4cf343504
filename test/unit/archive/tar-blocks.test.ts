import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Header, Parser, type ReadEntry } from "tar";
import type { ArchiveEntry } from "../../../src/archive/entries.js";
import { TarBlocks } from "../../../src/archive/tar-blocks.js";

interface Written {
  chunks: Buffer[];
  /** Copies of the chunks as they were when handed over. */
  copies: Buffer[];
  releases: Array<() => void>;
}

/** Entries written through TarBlocks with `batchBytes`; the sink keeps every chunk. */
function write(batchBytes: number, entries: Array<{ header: ArchiveEntry; content?: Buffer }>, release = true): Written {
  const out: Written = { chunks: [], copies: [], releases: [] };
  const blocks = new TarBlocks(batchBytes, (chunk, done) => {
    out.chunks.push(chunk);
    out.copies.push(Buffer.from(chunk));
    out.releases.push(done);
    if (release) done();
  });
  for (const { header, content } of entries) {
    blocks.writeHeader(header);
    if (!content) continue;
    for (let at = 0; at < content.length;) {
      const { buffer, offset, length } = blocks.space(content.length - at);
      content.copy(buffer, offset, at, at + length);
      blocks.advance(length);
      at += length;
    }
    blocks.pad(content.length);
  }
  blocks.finish();
  return out;
}

interface Read {
  path: string;
  type: string;
  mode?: number;
  size?: number;
  linkpath?: string;
  content: Buffer;
}

async function parse(archive: Buffer): Promise<Read[]> {
  const entries: Read[] = [];
  const parser = new Parser({ strict: true });
  parser.on("entry", (e: ReadEntry) => {
    const item: Read = { path: e.path, type: e.type, mode: e.mode, size: e.size, linkpath: e.linkpath || undefined, content: Buffer.alloc(0) };
    const parts: Buffer[] = [];
    e.on("data", (c: Buffer) => parts.push(c));
    e.on("end", () => (item.content = Buffer.concat(parts)));
    entries.push(item);
  });
  await new Promise<void>((resolve, reject) => {
    parser.on("end", resolve);
    parser.on("error", reject);
    parser.end(archive);
  });
  return entries;
}

const file = (path: string, content: Buffer, mode = 0o644): { header: ArchiveEntry; content: Buffer } => ({
  header: { path, type: "file", size: content.length, mode, mtimeMs: 1_700_000_000_000 },
  content,
});

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

describe("TarBlocks", () => {
  it("writes entries whose content spans buffers, read back byte for byte", async () => {
    const big = randomBytes(5000);
    const { copies: chunks } = write(1024, [file("a.txt", Buffer.from("hello")), file("big.bin", big, 0o755), file("empty", Buffer.alloc(0))]);
    // Every buffer but the last is whole, and all are whole blocks.
    for (const c of chunks.slice(0, -1)) expect(c.length).toBe(1024);
    const archive = Buffer.concat(chunks);
    expect(archive.length % 512).toBe(0);
    // The archive ends with two zero blocks.
    expect(archive.subarray(-1024).every((b) => b === 0)).toBe(true);
    const entries = await parse(archive);
    expect(entries.map((e) => [e.path, e.type, e.mode, e.size])).toEqual([
      ["a.txt", "File", 0o644, 5],
      ["big.bin", "File", 0o755, 5000],
      ["empty", "File", 0o644, 0],
    ]);
    expect(entries[0]?.content.toString()).toBe("hello");
    expect(entries[1]?.content.equals(big)).toBe(true);
  });

  it("says in a PAX header what a header cannot hold: long and non-ASCII names and link targets", async () => {
    const long = `${"d".repeat(150)}/${"f".repeat(120)}.txt`;
    const target = `${"t".repeat(130)}/x`;
    const { copies: chunks } = write(2048, [
      file(long, Buffer.from("long")),
      file("résumé/日本語.txt", Buffer.from("utf8")),
      { header: { path: "link", type: "symlink", size: 0, mode: 0o777, mtimeMs: 0, target } },
    ]);
    const archive = Buffer.concat(chunks);
    const entries = await parse(archive);
    expect(entries.map((e) => [e.path, e.type, e.linkpath, e.content.toString()])).toEqual([
      [long, "File", undefined, "long"],
      ["résumé/日本語.txt", "File", undefined, "utf8"],
      ["link", "SymbolicLink", target, ""],
    ]);
    // System tar reads the same.
    const dir = mkdtempSync(join(tmpdir(), "valar-blocks-"));
    dirs.push(dir);
    writeFileSync(join(dir, "a.tar"), archive);
    const names = execFileSync("tar", ["-tf", join(dir, "a.tar")], { encoding: "utf8" })
      .trim()
      .split("\n");
    expect(names).toEqual([long, "résumé/日本語.txt", "link"]);
  });

  it("writes each header block exactly as node-tar encodes all of its fields", () => {
    const entries = [
      file("src/main.go", Buffer.from("package main\n"), 0o755),
      { header: { path: "link", type: "symlink" as const, size: 0, mode: 0o777, mtimeMs: 1_700_000_123_000, target: "src/main.go" } },
      file("empty.txt", Buffer.alloc(0), 0o600),
    ];
    const archive = Buffer.concat(write(4096, entries).copies);
    const blocks = [archive.subarray(0, 512), archive.subarray(1024, 1536), archive.subarray(1536, 2048)];
    entries.forEach(({ header: h }, i) => {
      const whole = Buffer.alloc(512);
      const type = h.type === "symlink" ? "SymbolicLink" : "File";
      new Header({ path: h.path, type, size: h.size, mode: h.mode, mtime: new Date(h.mtimeMs), linkpath: h.target, uid: 0, gid: 0 }).encode(whole);
      expect(blocks[i]).toEqual(whole);
    });
  });

  it("never writes into a buffer the sink has not released", () => {
    // 4 KiB: a buffer of its own, not a slice of Node's shared pool.
    const entries = Array.from({ length: 20 }, (_, i) => file(`f${i}`, Buffer.alloc(3000, i)));
    const held = write(4096, entries, false);
    // Nothing released: each chunk is a buffer of its own and still holds what it was given.
    expect(new Set(held.chunks.map((c) => c.buffer)).size).toBe(held.chunks.length);
    held.chunks.forEach((c, i) => expect(c).toEqual(held.copies[i]));
    // Released ones are written again.
    const reused = write(4096, entries, true);
    expect(new Set(reused.chunks.map((c) => c.buffer)).size).toBeLessThan(reused.chunks.length);
  });
});
