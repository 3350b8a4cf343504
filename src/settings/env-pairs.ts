import { UsageError } from "../errors.js";
import { ENV_KEY, type EnvironmentEntry } from "../api/types.js";

/**
 * One `KEY=VALUE` flag value. The value may be empty or contain `=`; the key may not be
 * empty or hold whitespace (a shell quoting slip is the usual cause, and sending it would
 * set a variable nobody can read).
 */
export function parseEnvPair(text: string, flag: string): EnvironmentEntry {
  const eq = text.indexOf("=");
  const key = eq < 0 ? "" : text.slice(0, eq);
  if (!ENV_KEY.test(key)) {
    throw new UsageError(`invalid ${flag} "${text}": expected KEY=VALUE`, {
      hint: `e.g. ${flag} LOG_LEVEL=debug (repeat the flag for several variables)`,
    });
  }
  return { key, value: text.slice(eq + 1) };
}

export function parseEnvPairs(texts: readonly string[], flag: string): EnvironmentEntry[] {
  return texts.map((t) => parseEnvPair(t, flag));
}

/**
 * The flags' variables over `.valar.yml`'s: the flag wins per key (the last flag when a key
 * is repeated), keys keep their first position, new keys follow in flag order. A variable
 * `.valar.yml` marks secret stays secret when a flag overrides its value.
 */
export function mergeEnvironment(base: readonly EnvironmentEntry[], overrides: readonly EnvironmentEntry[]): EnvironmentEntry[] {
  const merged = new Map<string, EnvironmentEntry>();
  for (const entry of base) merged.set(entry.key, { ...entry });
  for (const entry of overrides) {
    const previous = merged.get(entry.key);
    const next: EnvironmentEntry = { ...entry };
    if (previous?.secret !== undefined && next.secret === undefined) next.secret = previous.secret;
    merged.set(entry.key, next);
  }
  return [...merged.values()];
}
