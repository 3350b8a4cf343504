import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { IgnoreRules, type IgnoreRuleOptions } from "../../../src/archive/ignore-rules.js";
import { listFiles } from "../../../src/archive/pack.js";
import { makeTree, type Tree } from "../../helpers/tree.js";

let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

async function packed(tree: Tree, options: IgnoreRuleOptions = {}): Promise<string[]> {
  const { dir, cleanup } = makeTree(tree);
  cleanups.push(cleanup);
  const rules = await IgnoreRules.load(dir, options);
  return (await listFiles(dir, rules)).entries.map((e) => e.path);
}

describe("ignore rules", () => {
  it("never packs .git, at any depth, whatever the patterns say", async () => {
    const paths = await packed(
      { ".git/HEAD": "ref", ".git/objects/ab": "x", "lib/.git": "gitdir: ../x", "lib/a.js": "a", "main.go": "m" },
      { patterns: ["!.git", "!.git/**"] },
    );
    expect(paths).toEqual(["lib/a.js", "main.go"]);
  });

  it("uses .gitignore when there is no .valarignore", async () => {
    const paths = await packed({ ".gitignore": "*.log\ndist/\n", "a.log": "l", "dist/app.js": "d", "src/a.ts": "a" });
    expect(paths).toEqual([".gitignore", "src/a.ts"]);
  });

  it("keeps .gitignore's rules when there is a .valarignore: it adds to them", async () => {
    const paths = await packed({
      ".gitignore": "node_modules/\nsecret.env\n",
      ".valarignore": "*.md\n",
      "node_modules/x/index.js": "x",
      "secret.env": "TOKEN=1",
      "README.md": "r",
      "main.go": "m",
    });
    expect(paths).toEqual([".gitignore", ".valarignore", "main.go"]);
  });

  it("lets .valarignore bring back with !pattern what .gitignore leaves out", async () => {
    const paths = await packed({
      ".gitignore": "dist/\n*.gen.go\n",
      ".valarignore": "!dist/\n!api.gen.go\n",
      "dist/app.js": "d",
      "api.gen.go": "a",
      "x.gen.go": "x",
    });
    expect(paths).toEqual([".gitignore", ".valarignore", "api.gen.go", "dist/app.js"]);
  });

  it("honours negations within a file", async () => {
    const paths = await packed({ ".valarignore": "*.env\n!example.env\n", "prod.env": "p", "example.env": "e" });
    expect(paths).toEqual([".valarignore", "example.env"]);
  });

  it("does not re-include files inside an excluded directory", async () => {
    const paths = await packed({ ".gitignore": "build/\n!build/keep.txt\n", "build/keep.txt": "k", a: "a" });
    expect(paths).toEqual([".gitignore", "a"]);
  });

  it("matches dir-only patterns against directories, not files of that name", async () => {
    const paths = await packed({ ".gitignore": "cache/\n", cache: "a file", "sub/cache/x": "x" });
    expect(paths).toEqual([".gitignore", "cache"]);
  });

  it("honours nested ignore files relative to their own directory, deeper winning", async () => {
    const paths = await packed({
      ".gitignore": "*.tmp\n",
      "web/.gitignore": "/out\n!keep.tmp\n",
      "web/out/bundle.js": "b",
      "web/src/out/x.js": "x",
      "web/keep.tmp": "k",
      "web/drop.tmp": "d",
      "out/root.js": "r",
    });
    expect(paths).toEqual([".gitignore", "out/root.js", "web/.gitignore", "web/keep.tmp", "web/src/out/x.js"]);
  });

  it("applies a nested ignore file to its own folder only, at every depth below it", async () => {
    const paths = await packed({
      "a/b/.gitignore": "*.gen\n",
      "a/b/x.gen": "1",
      "a/b/c/d/y.gen": "2",
      "a/bc/z.gen": "3",
      "a/z.gen": "4",
      "x.git/k": "5",
      "a/.github/w.yml": "6",
    });
    expect(paths).toEqual(["a/b/.gitignore", "a/bc/z.gen", "a/.github/w.yml", "a/z.gen", "x.git/k"].sort());
  });

  it("reads nested .gitignore and .valarignore files alike, .valarignore last in each directory", async () => {
    const paths = await packed({
      ".valarignore": "",
      "sub/.gitignore": "a.txt\nc.txt\n",
      "sub/.valarignore": "b.txt\n!c.txt\n",
      "sub/a.txt": "a",
      "sub/b.txt": "b",
      "sub/c.txt": "c",
    });
    expect(paths).toEqual([".valarignore", "sub/.gitignore", "sub/.valarignore", "sub/c.txt"]);
  });

  it("says which ignore files applied", async () => {
    const { dir, cleanup } = makeTree({ ".valarignore": "", ".gitignore": "", "a/.gitignore": "", "a/b/.gitignore": "", "c/x": "x" });
    cleanups.push(cleanup);
    const rules = await IgnoreRules.load(dir, { prefixes: ["tmp"] });
    await listFiles(dir, rules);
    expect(rules.usedFiles()).toEqual([".gitignore", ".valarignore", "a/.gitignore", "a/b/.gitignore"]);
    expect(rules.describeSources()).toBe(".valarignore, .gitignore (3), build.ignore");
    expect(rules.fileName).toBe(".valarignore");
    const bare = makeTree({ "main.go": "m" });
    cleanups.push(bare.cleanup);
    const none = await IgnoreRules.load(bare.dir);
    expect(none.describeSources()).toBe("none");
    expect(none.fileName).toBe(".gitignore");
  });

  it("skips, with a warning naming it, an ignore file that is a FIFO or a device (never waits on it)", async () => {
    const { dir, cleanup } = makeTree({ "main.go": "m", "sub/a": "a", "sub/.valarignore": { link: "/dev/zero" } });
    cleanups.push(cleanup);
    execFileSync("mkfifo", [join(dir, ".gitignore")]);
    const seen: string[] = [];
    const rules = await IgnoreRules.load(dir, { warn: (m) => seen.push(m) });
    const paths = (await listFiles(dir, rules)).entries.map((e) => e.path);
    expect(seen).toEqual([
      "ignoring .gitignore: it is a FIFO, not a regular file; its rules are not applied",
      "ignoring sub/.valarignore: it is a character device, not a regular file; its rules are not applied",
    ]);
    // Both are left out of the archive too: a FIFO, and a link pointing outside.
    expect(paths).toEqual(["main.go", "sub/a"]);
  });

  it("is case-sensitive, as git is on Linux", async () => {
    const paths = await packed({ ".gitignore": "*.LOG\n", "a.log": "a", "b.LOG": "b" });
    expect(paths).toEqual([".gitignore", "a.log"]);
  });

  it("applies build.ignore as plain path prefixes, like Valar's original CLI", async () => {
    const paths = await packed(
      { "node_modules/a/index.js": "a", "node_modules_old/b.js": "b", "docs/x.md": "x", "docsite/y.md": "y", "src/main.ts": "m" },
      { prefixes: ["node_modules", "./docs/"] },
    );
    expect(paths).toEqual(["docsite/y.md", "src/main.ts"]);
  });

  it("lets no pattern bring back a build.ignore prefix", async () => {
    const paths = await packed(
      { ".gitignore": "!vendor/\n", "vendor/a.go": "a", "main.go": "m" },
      { prefixes: ["vendor"], patterns: ["!vendor/a.go"] },
    );
    expect(paths).toEqual([".gitignore", "main.go"]);
  });

  it("applies --ignore patterns after the ignore files, so they can exclude or re-include", async () => {
    const paths = await packed(
      { ".gitignore": "*.log\n", "debug.log": "d", "keep.log": "k", "secret.key": "s", "main.go": "m" },
      { patterns: ["*.key", "!keep.log"] },
    );
    expect(paths).toEqual([".gitignore", "keep.log", "main.go"]);
  });

  it("treats a symlink to a directory as a file for dir-only patterns", async () => {
    const paths = await packed({ ".gitignore": "linked/\n", "real/a": "a", linked: { link: "real" } });
    expect(paths).toEqual([".gitignore", "linked", "real/a"]);
  });
});
