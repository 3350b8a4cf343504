import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import * as tar from "tar";
import { IgnoreRules } from "../../../src/archive/ignore-rules.js";
import { linkPointsOutside, listFiles, packDirectory } from "../../../src/archive/pack.js";
import { makeTree, type Tree } from "../../helpers/tree.js";

let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

function tree(spec: Tree): string {
  const { dir, cleanup } = makeTree(spec);
  cleanups.push(cleanup);
  return dir;
}

interface Unpacked {
  path: string;
  type: string;
  mode?: number;
  linkpath?: string;
  content?: string;
}

async function packAndRead(dir: string): Promise<{ bytes: number; entries: Unpacked[] }> {
  const list = await listFiles(dir, await IgnoreRules.load(dir));
  const archive = join(dir, "..", "out.tar.gz");
  const { bytes } = await packDirectory(dir, list.entries, archive);
  expect(bytes).toBe(statSync(archive).size);
  const entries: Unpacked[] = [];
  await tar.t({
    file: archive,
    strict: true,
    onReadEntry: (e) => {
      const item: Unpacked = { path: e.path, type: e.type, mode: e.mode, linkpath: e.linkpath || undefined };
      if (e.type === "File") {
        const chunks: Buffer[] = [];
        e.on("data", (c: Buffer) => chunks.push(c));
        e.on("end", () => (item.content = Buffer.concat(chunks).toString()));
      }
      entries.push(item);
    },
  });
  return { bytes, entries };
}

describe("listFiles", () => {
  it("lists files in a stable, sorted, depth-first order with sizes and modes", async () => {
    const dir = tree({ "b.txt": "bb", "a/z.txt": "z", "a/b.txt": "b", "A.txt": "A", "run.sh": { content: "#!/bin/sh\n", mode: 0o755 } });
    const list = await listFiles(dir, await IgnoreRules.load(dir));
    expect(list.entries.map((e) => e.path)).toEqual(["A.txt", "a/b.txt", "a/z.txt", "b.txt", "run.sh"]);
    expect(list.entries.find((e) => e.path === "run.sh")).toMatchObject({ type: "file", size: 10, mode: 0o755 });
    expect(list.totalBytes).toBe(1 + 1 + 1 + 2 + 10);
  });

  it("lists a symlink to a directory as a link and does not descend into it", async () => {
    const dir = tree({ "real/a.txt": "a", "alias": { link: "real" } });
    const list = await listFiles(dir, await IgnoreRules.load(dir));
    expect(list.entries.map((e) => [e.path, e.type, e.target])).toEqual([
      ["alias", "symlink", "real"],
      ["real/a.txt", "file", undefined],
    ]);
  });

  it("leaves out symlinks whose target is outside the directory, saying so", async () => {
    const dir = tree({ "in": { link: "sub/x" }, "up": { link: "../secret" }, "abs": { link: "/etc/passwd" }, "sub/back": { link: "../in" } });
    const list = await listFiles(dir, await IgnoreRules.load(dir));
    expect(list.entries.map((e) => e.path)).toEqual(["in", "sub/back"]);
    expect(list.skipped).toEqual([
      { path: "abs", reason: "a symlink to /etc/passwd, outside the directory, is left out" },
      { path: "up", reason: "a symlink to ../secret, outside the directory, is left out" },
    ]);
  });

  it("skips a FIFO and reports it", async () => {
    const dir = tree({ "a.txt": "a" });
    try {
      execFileSync("mkfifo", [join(dir, "pipe")]);
    } catch {
      return; // no mkfifo on this system
    }
    const list = await listFiles(dir, await IgnoreRules.load(dir));
    expect(list.entries.map((e) => e.path)).toEqual(["a.txt"]);
    expect(list.skipped).toEqual([{ path: "pipe", reason: "a FIFO cannot be packed" }]);
  });

  it("leaves out empty directories (like git)", async () => {
    const dir = tree({ "empty/": "", "a.txt": "a" });
    const list = await listFiles(dir, await IgnoreRules.load(dir));
    expect(list.entries.map((e) => e.path)).toEqual(["a.txt"]);
  });
});

describe("packDirectory", () => {
  it("writes a .tar.gz with relative POSIX paths, contents and modes", async () => {
    const dir = tree({
      "build.sh": { content: "#!/bin/sh\necho hi\n", mode: 0o755 },
      "src/main.go": { content: "package main\n", mode: 0o644 },
      "private.txt": { content: "p", mode: 0o600 },
    });
    const { entries } = await packAndRead(dir);
    expect(entries).toEqual([
      { path: "build.sh", type: "File", mode: 0o755, content: "#!/bin/sh\necho hi\n" },
      { path: "private.txt", type: "File", mode: 0o600, content: "p" },
      { path: "src/main.go", type: "File", mode: 0o644, content: "package main\n" },
    ]);
  });

  it("stores symlinks as links, never reading through them; those to outside are left out", async () => {
    const { dir: outsideDir, cleanup } = makeTree({ "secret.txt": "TOP SECRET" });
    cleanups.push(cleanup);
    const dir = tree({
      "real/a.txt": "a",
      "alias": { link: "real" },
      "leak": { link: join(outsideDir, "secret.txt") },
      "up": { link: "../../" },
    });
    const { entries } = await packAndRead(dir);
    expect(entries.map((e) => [e.path, e.type, e.linkpath])).toEqual([
      ["alias", "SymbolicLink", "real"],
      ["real/a.txt", "File", undefined],
    ]);
    expect(entries.some((e) => e.content === "TOP SECRET")).toBe(false);
  });

  it("keeps a file name starting with @ literal", async () => {
    const dir = tree({ "@scope.txt": "s" });
    const { entries } = await packAndRead(dir);
    expect(entries.map((e) => e.path)).toEqual(["@scope.txt"]);
  });

  it("unpacks to the same tree (round trip through tar.x)", async () => {
    const dir = tree({ "a/b/c.txt": "c", "x.sh": { content: "x", mode: 0o755 }, "l": { link: "a/b/c.txt" } });
    const list = await listFiles(dir, await IgnoreRules.load(dir));
    const archive = join(dir, "..", "rt.tar.gz");
    await packDirectory(dir, list.entries, archive);
    const target = join(dir, "..", "unpacked");
    mkdirSync(target);
    await tar.x({ file: archive, cwd: target });
    expect(readFileSync(join(target, "l"), "utf8")).toBe("c");
    expect(statSync(join(target, "x.sh")).mode & 0o777).toBe(0o755);
  });

  it("fails with an OperationError when a listed file vanished", async () => {
    const dir = tree({ "a.txt": "a", "b.txt": "b" });
    const list = await listFiles(dir, await IgnoreRules.load(dir));
    rmSync(join(dir, "b.txt"));
    await expect(packDirectory(dir, list.entries, join(dir, "..", "x.tar.gz"))).rejects.toMatchObject({ exitCode: 1 });
  });

  it("stops when the signal aborts", async () => {
    const dir = tree({ "a.txt": "a" });
    writeFileSync(join(dir, "big.bin"), Buffer.alloc(1024 * 1024));
    const list = await listFiles(dir, await IgnoreRules.load(dir));
    const ac = new AbortController();
    const reason = new Error("stop");
    ac.abort(reason);
    await expect(packDirectory(dir, list.entries, join(dir, "..", "x.tar.gz"), ac.signal)).rejects.toBe(reason);
  });
});

describe("linkPointsOutside", () => {
  it.each([
    ["a", "b", false],
    ["a", "./b/../c", false],
    ["d/a", "../b", false],
    ["d/a", "../../b", true],
    ["a", "..", true],
    ["a", "/abs", true],
  ] as const)("%s -> %s: %s", (rel, target, expected) => {
    expect(linkPointsOutside(rel, target)).toBe(expected);
  });
});
