import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic-files.js";

/** The sandbox's bearer token: made on first start, then kept (0600) in the data directory. */
export function loadOrCreateToken(dataDir: string): string {
  const path = join(dataDir, "token");
  try {
    const token = readFileSync(path, "utf8").trim();
    if (/^[0-9a-f]{64,}$/.test(token)) {
      chmodSync(path, 0o600);
      return token;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const token = randomBytes(32).toString("hex");
  writeFileAtomic(path, token + "\n", 0o600);
  return token;
}

/** Compares an Authorization header with the token in constant time (hashing evens out lengths). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (!m) return false;
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(m[1]!), digest(token));
}
