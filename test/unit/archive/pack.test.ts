import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import * as tar from "tar";
import { IgnoreRules } from "../../../src/archive/ignore-rules.js";
import { linkPointsOutside, listFiles, packTree } from "../../../src/archive/pack.js";
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
  const archive = join(dir, "..", "out.tar.gz");
  const { archiveBytes: bytes } = await packTree(dir, await IgnoreRules.load(dir), archive);
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
    const dir = tree({ "real/a.txt": "a", alias: { link: "real" } });
    const list = await listFiles(dir, await IgnoreRules.load(dir));
    expect(list.entries.map((e) => [e.path, e.type, e.target])).toEqual([
      ["alias", "symlink", "real"],
      ["real/a.txt", "file", undefined],
    ]);
  });

  it("leaves out symlinks whose target is outside the directory, saying so", async () => {
    const dir = tree({ in: { link: "sub/x" }, up: { link: "../secret" }, abs: { link: "/etc/passwd" }, "sub/back": { link: "../in" } });
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

describe("packTree", () => {
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
      alias: { link: "real" },
      leak: { link: join(outsideDir, "secret.txt") },
      up: { link: "../../" },
    });
    const { entries } = await packAndRead(dir);
    expect(entries.map((e) => [e.path, e.type, e.linkpath])).toEqual([
      ["alias", "SymbolicLink", "real"],
      ["real/a.txt", "File", undefined],
    ]);
    expect(entries.some((e) => e.content === "TOP SECRET")).toBe(false);
  });

  it("packs files larger than its buffers byte for byte, between small ones", async () => {
    // 700 KB and 256 KiB exactly: over and at the 256 KiB the packer reads into at a time.
    const big = randomBytes(350 * 1024).toString("hex");
    const edge = "e".repeat(256 * 1024);
    const dir = tree({ "a.txt": "a", "big.txt": big, "edge.txt": edge, "z.txt": "z" });
    const { entries } = await packAndRead(dir);
    expect(entries.map((e) => [e.path, e.content?.length])).toEqual([
      ["a.txt", 1],
      ["big.txt", big.length],
      ["edge.txt", edge.length],
      ["z.txt", 1],
    ]);
    expect(entries[1]?.content === big && entries[2]?.content === edge).toBe(true);
  });

  it("keeps a file name starting with @ literal", async () => {
    const dir = tree({ "@scope.txt": "s" });
    const { entries } = await packAndRead(dir);
    expect(entries.map((e) => e.path)).toEqual(["@scope.txt"]);
  });

  it("unpacks to the same tree (round trip through tar.x)", async () => {
    const dir = tree({ "a/b/c.txt": "c", "x.sh": { content: "x", mode: 0o755 }, l: { link: "a/b/c.txt" } });
    const archive = join(dir, "..", "rt.tar.gz");
    await packTree(dir, await IgnoreRules.load(dir), archive);
    const target = join(dir, "..", "unpacked");
    mkdirSync(target);
    await tar.x({ file: archive, cwd: target });
    expect(readFileSync(join(target, "l"), "utf8")).toBe("c");
    expect(statSync(join(target, "x.sh")).mode & 0o777).toBe(0o755);
  });

  it("fails with an OperationError naming a file that vanished while packing", async () => {
    const dir = tree({ "a.txt": "a", "b.txt": "b" });
    const packing = packTree(dir, await IgnoreRules.load(dir), join(dir, "..", "x.tar.gz"), {
      onProgress: (p) => p.files === 1 && rmSync(join(dir, "b.txt")),
    });
    await expect(packing).rejects.toMatchObject({ exitCode: 1, message: "cannot read b.txt: it disappeared while being read" });
  });

  it("stops when the signal aborts", async () => {
    const dir = tree({ "a.txt": "a" });
    writeFileSync(join(dir, "big.bin"), Buffer.alloc(1024 * 1024));
    const ac = new AbortController();
    const reason = new Error("stop");
    ac.abort(reason);
    await expect(packTree(dir, await IgnoreRules.load(dir), join(dir, "..", "x.tar.gz"), { signal: ac.signal })).rejects.toBe(reason);
  });

  it("stops as soon as the compressed archive passes the limit, without packing the rest", async () => {
    const dir = tree({});
    // Random bytes do not compress: 8 MiB of them, against a 1 MiB limit.
    for (let i = 0; i < 8; i++) writeFileSync(join(dir, `blob${i}.bin`), randomBytes(1024 * 1024));
    const archive = join(dir, "..", "x.tar.gz");
    let packed = 0;
    const packing = packTree(dir, await IgnoreRules.load(dir), archive, { limit: 1024 * 1024, onProgress: (p) => (packed = p.files) });
    await expect(packing).rejects.toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(/^archive is over the 1 MiB limit \(packing stopped after \d files\)$/),
    });
    expect(packed).toBeLessThan(4);
    expect(statSync(archive).size).toBeLessThanOrEqual(1024 * 1024);
  });

  it("lists in system tar as the contract says: sorted paths, modes, symlinks as links", async () => {
    const dir = tree({
      "b/run.sh": { content: "#!/bin/sh\n", mode: 0o755 },
      "a.txt": "a",
      "B.txt": "B",
      link: { link: "b/run.sh" },
      [`deep/${"d".repeat(120)}/${"f".repeat(120)}.txt`]: "long",
    });
    const archive = join(dir, "..", "sys.tar.gz");
    await packTree(dir, await IgnoreRules.load(dir), archive);
    const listing = execFileSync("tar", ["-tvzf", archive], { encoding: "utf8" }).trim().split("\n");
    const fields = listing.map((line) => {
      const parts = line.split(/\s+/);
      return [parts[0], parts.slice(5).join(" ")];
    });
    expect(fields).toEqual([
      ["-rw-r--r--", "B.txt"],
      ["-rw-r--r--", "a.txt"],
      ["-rwxr-xr-x", "b/run.sh"],
      ["-rw-r--r--", `deep/${"d".repeat(120)}/${"f".repeat(120)}.txt`],
      ["lrwxrwxrwx", "link -> b/run.sh"],
    ]);
  });

  it("leaves out a name that is not UTF-8 with a reason, unless the rules ignore it first", async () => {
    // A real U+FFFD in a name is UTF-8, and packed, in a folder and beside a bad name alike.
    const dir = tree({ "ok.txt": "ok", ".gitignore": "*.tmp\n", "sub/\uFFFD.txt": "r", "\uFFFD.txt": "r" });
    const bad = Buffer.concat([Buffer.from(join(dir, "bad")), Buffer.from([0xff, 0xfe]), Buffer.from(".txt")]);
    const ignored = Buffer.concat([Buffer.from(join(dir, "gone")), Buffer.from([0xff]), Buffer.from(".tmp")]);
    writeFileSync(bad, "x");
    writeFileSync(ignored, "y");
    const result = await packTree(dir, await IgnoreRules.load(dir), join(dir, "..", "u.tar.gz"));
    expect(result.files).toBe(4);
    expect(result.skipped).toEqual([{ path: "bad\\xff\\xfe.txt", reason: "its name is not valid UTF-8 (rename it, or ignore it)" }]);
  });
});

describe("the source digest", () => {
  const spec = { "src/main.go": "package main\n", "run.sh": { content: "#!/bin/sh\n", mode: 0o755 }, l: { link: "src/main.go" } };
  const digestOf = async (dir: string) => (await packTree(dir, await IgnoreRules.load(dir), join(dir, "..", `d${Math.random()}.tar.gz`))).digest;

  it("is the same for a fresh copy of the tree, whatever the mtimes", async () => {
    const a = tree(spec);
    const b = tree(spec);
    utimesSync(join(b, "src/main.go"), new Date(0), new Date(0));
    expect(await digestOf(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(await digestOf(b)).toBe(await digestOf(a));
    const c = join(b, "..", "copy");
    cpSync(a, c, { recursive: true, verbatimSymlinks: true });
    expect(await digestOf(c)).toBe(await digestOf(a));
  });

  it("changes with a file's content, a mode, a link target or a path", async () => {
    const base = await digestOf(tree(spec));
    const content = tree(spec);
    writeFileSync(join(content, "src/main.go"), "package main\n\n");
    const mode = tree(spec);
    chmodSync(join(mode, "run.sh"), 0o644);
    const target = tree(spec);
    rmSync(join(target, "l"));
    symlinkSync("run.sh", join(target, "l"));
    const renamed = tree({ "src/main2.go": "package main\n", "run.sh": spec["run.sh"], l: { link: "src/main2.go" } });
    const digests = [base, await digestOf(content), await digestOf(mode), await digestOf(target), await digestOf(renamed)];
    expect(new Set(digests).size).toBe(5);
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
