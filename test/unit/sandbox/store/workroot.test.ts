import { describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../../helpers/cli.js";
import { defaultWorkRoot, prepareWorkRoot } from "../../../../src/sandbox/store/workroot.js";

describe("work root", () => {
  it("is outside the data dir, one per data dir", () => {
    const data = tempDir("valar-data-");
    const root = defaultWorkRoot(data);
    expect(root.startsWith(data)).toBe(false);
    expect(defaultWorkRoot(data)).toBe(root);
    expect(defaultWorkRoot(join(data, "other"))).not.toBe(root);
  });

  it("is emptied of what a crashed run left and made private", () => {
    const root = join(tempDir("valar-work-"), "root");
    mkdirSync(join(root, "old-build", "src"), { recursive: true });
    writeFileSync(join(root, "old-build", "src", "f"), "x");
    prepareWorkRoot(root);
    expect(readdirSync(root)).toEqual([]);
    expect(statSync(root).mode & 0o777).toBe(0o700);
    expect(existsSync(join(root, "old-build"))).toBe(false);
  });
});
