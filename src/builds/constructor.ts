import { UsageError } from "../errors.js";
import { CONSTRUCTORS } from "../api/types.js";

/**
 * `valar sandbox`'s own constructor (runs the artifact's build.sh). Valar's API has no
 * call that lists constructors, so the CLI knows the documented ones and this one; a real
 * Valar server refuses `shell` itself.
 */
export const SANDBOX_CONSTRUCTOR = "shell";

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

/** Exit 2 for a name no server knows, before anything is packed or sent. */
export function checkConstructorName(name: string): string {
  if (constructorNames().includes(name)) return name;
  throw new UsageError(`unknown constructor "${name}"`, { hint: `known constructors: ${describeConstructors()}` });
}
