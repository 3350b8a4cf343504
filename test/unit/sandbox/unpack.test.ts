import { describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Header } from "tar";
import { tempDir } from "../../helpers/cli.js";
import { entryProblem, unpackArchive, UnsafeArchiveError } from "../../../src/sandbox/unpack.js";

interface RawEntry {
  path: string;
  type?: "File" | "Directory" | "SymbolicLink" | "Link" | "FIFO";
  linkpath?: string;
  content?: string;
}

/** A .tar.gz written header by header, so it can hold what no honest tool would write. */
function rawTarGz(entries: RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.content ?? "");
    const type = e.type ?? "File";
    const header = new Header({
      path: e.path,
      type,
      linkpath: e.linkpath,
      size: type === "File" ? data.length : 0,
      mode: type === "Directory" ? 0o755 : 0o644,
      mtime: new Date(0),
      uid: 0,
      gid: 0,
    });
    const block = Buffer.alloc(512);
    header.encode(block);
    blocks.push(block);
    if (type === "File" && data.length) {
      blocks.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** A workspace inside a parent directory, so writes "next to" it can be seen. */
function setup(entries: RawEntry[]): { parent: string; workspace: string; file: string } {
  const parent = tempDir("valar-unpack-");
  const workspace = join(parent, "ws");
  mkdirSync(workspace);
  const file = join(parent, "artifact.tar.gz");
  writeFileSync(file, rawTarGz(entries));
  return { parent, workspace, file };
}

describe("unpackArchive", () => {
  it("unpacks an honest archive, links inside the workspace included", async () => {
    const { workspace, file } = setup([
      { path: "src/", type: "Directory" },
      { path: "src/a.txt", content: "A" },
      { path: "src/link", type: "SymbolicLink", linkpath: "a.txt" },
      { path: "hard", type: "Link", linkpath: "src/a.txt" },
      { path: "up", type: "SymbolicLink", linkpath: "src/../src/a.txt" },
    ]);
    expect(await unpackArchive(file, workspace)).toBe(5);
    expect(readFileSync(join(workspace, "src/link"), "utf8")).toBe("A");
    expect(readFileSync(join(workspace, "hard"), "utf8")).toBe("A");
  });

  const malicious: [string, RawEntry[], RegExp][] = [
    ["a .. path", [{ path: "ok.txt", content: "x" }, { path: "../escaped.txt", content: "pwned" }], /"\.\.\/escaped\.txt" has a "\.\." segment/],
    ["a nested .. path", [{ path: "a/../../escaped.txt", content: "pwned" }], /"\.\." segment/],
    ["an absolute path", [{ path: "/tmp/valar-escaped.txt", content: "pwned" }], /absolute path/],
    ["a symlink to an absolute target", [{ path: "etc", type: "SymbolicLink", linkpath: "/etc" }], /points to "\/etc"/],
    ["a symlink climbing out", [{ path: "sub/out", type: "SymbolicLink", linkpath: "../../escaped" }], /outside the workspace/],
    ["a hard link to outside", [{ path: "h", type: "Link", linkpath: "../escaped.txt" }], /outside the workspace|"\.\." segment/],
    ["a symlink then a write through it", [{ path: "dir", type: "SymbolicLink", linkpath: ".." }, { path: "dir/escaped.txt", content: "pwned" }], /outside the workspace/],
    ["a FIFO", [{ path: "pipe", type: "FIFO" }], /FIFO/],
  ];

  for (const [name, entries, message] of malicious) {
    it(`refuses ${name} and writes nothing at all`, async () => {
      const { parent, workspace, file } = setup(entries);
      const err = await unpackArchive(file, workspace).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnsafeArchiveError);
      expect((err as Error).message).toMatch(message);
      expect(readdirSync(workspace)).toEqual([]);
      expect(readdirSync(parent).sort()).toEqual(["artifact.tar.gz", "ws"]);
      expect(existsSync("/tmp/valar-escaped.txt")).toBe(false);
    });
  }

  it("rejects a file that is not a tar.gz", async () => {
    const parent = tempDir("valar-unpack-");
    const file = join(parent, "junk.tar.gz");
    writeFileSync(file, "not an archive at all");
    await expect(unpackArchive(file, parent)).rejects.toThrow();
  });
});

describe("entryProblem", () => {
  it("accepts plain files, directories and links that stay inside", () => {
    expect(entryProblem("File", "a/b.txt")).toBeUndefined();
    expect(entryProblem("Directory", "a/")).toBeUndefined();
    expect(entryProblem("SymbolicLink", "a/b/l", "../c")).toBeUndefined();
    expect(entryProblem("Link", "a/l", "a/b.txt")).toBeUndefined();
  });

  it("refuses Windows-style escapes too", () => {
    expect(entryProblem("File", "..\\evil")).toMatch(/\.\./);
    expect(entryProblem("File", "C:\\evil")).toMatch(/absolute/);
    expect(entryProblem("SymbolicLink", "a/l", "..\\..\\x")).toMatch(/outside/);
  });
});
