import { access } from "node:fs/promises";
import { dirname, join } from "node:path";

/** The nearest .valar.yml walking up from cwd, or undefined. */
export async function findValarYml(cwd: string): Promise<string | undefined> {
  let dir = cwd;
  for (;;) {
    const candidate = join(dir, ".valar.yml");
    try {
      await access(candidate);
      return candidate;
    } catch {
      // keep walking
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
