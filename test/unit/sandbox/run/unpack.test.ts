import { describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../../helpers/cli.js";
import {
  ArchiveTooLargeError,
  entryProblem,
  linkChainProblems,
  scanArchive,
  unpackArchive,
  UnsafeArchiveError,
} from "../../../../src/sandbox/run/unpack.js";
import { rawTarGz, type RawEntry } from "../../../helpers/raw-tar.js";

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
    [
      "a .. path",
      [
        { path: "ok.txt", content: "x" },
        { path: "../escaped.txt", content: "pwned" },
      ],
      /"\.\.\/escaped\.txt" has a "\.\." segment/,
    ],
    ["a nested .. path", [{ path: "a/../../escaped.txt", content: "pwned" }], /"\.\." segment/],
    ["an absolute path", [{ path: "/tmp/valar-escaped.txt", content: "pwned" }], /absolute path/],
    ["a symlink to an absolute target", [{ path: "etc", type: "SymbolicLink", linkpath: "/etc" }], /points to "\/etc"/],
    ["a symlink climbing out", [{ path: "sub/out", type: "SymbolicLink", linkpath: "../../escaped" }], /outside the workspace/],
    ["a hard link to outside", [{ path: "h", type: "Link", linkpath: "../escaped.txt" }], /outside the workspace|"\.\." segment/],
    [
      "a symlink then a write through it",
      [
        { path: "dir", type: "SymbolicLink", linkpath: ".." },
        { path: "dir/escaped.txt", content: "pwned" },
      ],
      /outside the workspace/,
    ],
    ["a FIFO", [{ path: "pipe", type: "FIFO" }], /FIFO/],
    [
      "a chain of symlinks that leaves only as a whole",
      [
        { path: "x/y/L1", type: "SymbolicLink", linkpath: "../.." },
        { path: "x/y/L2", type: "SymbolicLink", linkpath: "L1/../.." },
      ],
      /link "x\/y\/L2" points to "L1\/\.\.\/\.\.", which leads outside the workspace/,
    ],
    [
      "the same chain, the later link first",
      [
        { path: "x/y/L2", type: "SymbolicLink", linkpath: "L1/../.." },
        { path: "x/y/L1", type: "SymbolicLink", linkpath: "../.." },
      ],
      /link "x\/y\/L2"/,
    ],
    [
      "a hard link reaching out through a symlink",
      [
        { path: "x/y/L1", type: "SymbolicLink", linkpath: "../.." },
        { path: "h", type: "Link", linkpath: "x/y/L1/../escaped.txt" },
      ],
      /link "h"/,
    ],
    [
      "a link inside a linked directory",
      [
        { path: "a", type: "SymbolicLink", linkpath: "x/y" },
        { path: "x/y/", type: "Directory" },
        { path: "b", type: "SymbolicLink", linkpath: "a/../../.." },
      ],
      /link "b"/,
    ],
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

  it("refuses an archive over the entry or byte cap before writing anything", async () => {
    const many = setup(Array.from({ length: 30 }, (_, i) => ({ path: `f${i}.txt`, content: "x" })));
    const err = await unpackArchive(many.file, many.workspace, { maxEntries: 20, maxUnpackedBytes: 1e9 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArchiveTooLargeError);
    expect((err as Error).message).toBe("the artifact holds more than 20 entries (--max-entries)");
    expect(readdirSync(many.workspace)).toEqual([]);

    const big = setup([
      { path: "a.txt", content: "x".repeat(600) },
      { path: "b.txt", content: "y".repeat(600) },
    ]);
    const err2 = await unpackArchive(big.file, big.workspace, { maxEntries: 10, maxUnpackedBytes: 1024 }).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(ArchiveTooLargeError);
    expect((err2 as Error).message).toBe("the artifact unpacks to more than 1 KiB (--max-unpacked-size)");
    expect(readdirSync(big.workspace)).toEqual([]);
    expect(await scanArchive(big.file, { maxEntries: 2, maxUnpackedBytes: 1200 })).toEqual({ entries: 2, bytes: 1200 });
  });

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

describe("linkChainProblems", () => {
  it("accepts links that stay inside however they are chained, and dangling ones", () => {
    expect(
      linkChainProblems([
        { type: "SymbolicLink", path: "x/y/L1", target: "../.." },
        { type: "SymbolicLink", path: "x/y/L3", target: "L1/x/y/L1" },
        { type: "SymbolicLink", path: "dangling", target: "nowhere/yet" },
        { type: "Link", path: "h", target: "x/y/L1/x/file" },
      ]),
    ).toEqual([]);
  });

  it("refuses a loop of links", () => {
    expect(
      linkChainProblems([
        { type: "SymbolicLink", path: "a", target: "b" },
        { type: "SymbolicLink", path: "b", target: "a" },
      ])[0],
    ).toMatch(/loop/);
  });
});
