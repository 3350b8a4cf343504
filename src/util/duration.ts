import { UsageError } from "../errors.js";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration flag as given ("15m", for messages) and as meant (milliseconds). */
export interface Duration {
  text: string;
  ms: number;
}

/** commander's parser for a duration flag: the value is checked (and read) once, while parsing. */
export function durationFlag(flag: string): (text: string) => Duration {
  return (text) => ({ text, ms: parseDuration(text, flag) });
}

/** "90s", "15m", "1h30m", "7d", "500ms" → milliseconds; anything else is a usage error. */
export function parseDuration(text: string, flag = "--timeout"): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  const trimmed = text.trim();
  let m: RegExpExecArray | null;
  while ((m = re.exec(trimmed))) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    matched = re.lastIndex;
  }
  if (!trimmed || matched !== trimmed.length || total <= 0) {
    throw new UsageError(`invalid duration "${text}" for ${flag}`, { hint: "use a number and a unit, e.g. 90s, 15m, 1h" });
  }
  return total;
}
