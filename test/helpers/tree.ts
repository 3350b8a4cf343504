import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** A file tree for one test: "path": content, or { link: target }, or { content, mode }. */
export type Tree = Record<string, string | { link: string } | { content: string; mode: number }>;

export function makeTree(tree: Tree): { dir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), "valar-archive-"));
  const dir = join(root, "src");
  mkdirSync(dir);
  for (const [path, spec] of Object.entries(tree)) {
    const abs = join(dir, path);
    if (path.endsWith("/")) {
      mkdirSync(abs, { recursive: true });
      continue;
    }
    mkdirSync(dirname(abs), { recursive: true });
    if (typeof spec === "string") writeFileSync(abs, spec);
    else if ("link" in spec) symlinkSync(spec.link, abs);
    else {
      writeFileSync(abs, spec.content);
      chmodSync(abs, spec.mode);
    }
  }
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
