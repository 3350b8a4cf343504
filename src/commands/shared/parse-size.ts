import { UsageError } from "../../errors.js";

const UNIT_BYTES: Record<string, number> = { "": 1, b: 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gib: 1024 ** 3 };

/** "512M", "2G", "1.5GiB", "4096" → bytes (K, M, G count in 1024s); anything else is a usage error. */
export function parseSize(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? UNIT_BYTES[m[2]!.toLowerCase()] : undefined;
  const bytes = m && unit ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new UsageError(`invalid size "${text}" for ${flag}`, { hint: "use a number and a unit, e.g. 512M, 2G" });
  }
  return bytes;
}
