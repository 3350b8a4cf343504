import { UsageError } from "../errors.js";
import { CONSTRUCTORS } from "../api/types.js";
import { nearestName } from "../util/nearest.js";
import { truncate } from "../output/text.js";

/**
 * `valar sandbox`'s own constructor (runs the artifact's build.sh). Valar's API has no
 * call that lists constructors, so the CLI knows the documented ones and this one; a real
 * Valar server refuses `shell` itself.
 */
const SANDBOX_CONSTRUCTOR = "shell";

/** Every name -c accepts: the documented constructors, their aliases, and `shell`. */
export function constructorNames(): string[] {
  const names = Object.entries(CONSTRUCTORS).flatMap(([name, aliases]) => [name, ...aliases]);
  return [...new Set([...names, SANDBOX_CONSTRUCTOR])];
}

/** "golang (go, golang-1.17), python, …, shell (valar sandbox only)": for hints. */
export function describeConstructors(): string {
  const documented = Object.entries(CONSTRUCTORS).map(([name, aliases]) => (aliases.length ? `${name} (${aliases.join(", ")})` : name));
  return [...documented, `${SANDBOX_CONSTRUCTOR} (valar sandbox only)`].join(", ");
}

/**
 * Exit 2 for a name no server knows, before anything is packed or sent. `from` says where
 * the name came from (`-c`, or a .valar.yml's path), so the user knows what to fix.
 */
export function checkConstructorName(name: string, from?: string): string {
  if (constructorNames().includes(name)) return name;
  const near = nearestName(name, constructorNames());
  throw new UsageError(`unknown constructor "${truncate(name, 60)}"${from ? ` (from ${from})` : ""}${near ? `; did you mean "${near}"?` : ""}`, {
    hint: `known constructors: ${describeConstructors()}`,
  });
}
