import { describe, expect, it } from "vitest";
import { packedDependencyDirs } from "../../../src/archive/dependency-dirs.js";
import type { ArchiveEntry } from "../../../src/archive/entries.js";

const file = (path: string, size: number): ArchiveEntry => ({ path, type: "file", size, mode: 0o644, mtimeMs: 0 });

describe("packedDependencyDirs", () => {
  it("counts each entry for the outermost dependency folder it sits in, folder after folder", () => {
    const dirs = packedDependencyDirs([
      file("node_modules", 1),
      file("a/node_modules/x/index.js", 10),
      file("a/node_modules/x/node_modules/y/index.js", 20),
      file("a/node_modules/z.js", 30),
      file("a/src/main.ts", 1000),
      file("b/vendor/lib.go", 40),
      file("b/main.go", 2000),
      file("a/node_modules/late.js", 50),
    ]);
    expect(dirs).toEqual([
      { path: "a/node_modules", name: "node_modules", bytes: 110 },
      { path: "b/vendor", name: "vendor", bytes: 40 },
    ]);
  });

  it("finds none where no folder of the path is one", () => {
    expect(packedDependencyDirs([file("venv.txt", 1), file("src/node_modules_old/a.js", 2)])).toEqual([]);
  });
});
