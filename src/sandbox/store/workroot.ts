import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/**
 * Where a sandbox's builds unpack and run: outside the data dir (so no path from a build's
 * tree leads to the token, the logs or the artifacts), one per data dir, so a restart
 * finds and removes what a crashed run left.
 */
export function defaultWorkRoot(dataDir: string): string {
  const tag = createHash("sha256").update(resolve(dataDir)).digest("hex").slice(0, 16);
  return join(tmpdir(), `valar-sandbox-${tag}`);
}

/**
 * Empties (or makes) the work root. Only the sandbox holding the data dir's lock calls
 * this, so nothing in it belongs to a live build. It must end up a private directory of
 * ours: in a shared /tmp someone else could have put something there first.
 */
export function prepareWorkRoot(root: string): void {
  rmSync(root, { recursive: true, force: true, maxRetries: 2 });
  mkdirSync(root, { mode: 0o700 });
  const st = lstatSync(root);
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0) {
    throw Object.assign(new Error(`the work directory ${root} is not a private directory of this user`), { code: "EPERM", path: root });
  }
}
