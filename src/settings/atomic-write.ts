import { closeSync, constants, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";

/**
 * Replaces `path` with `text` in one step: a new file beside it (created 0600 and
 * exclusively, so nothing else can be open on it), synced, then renamed over the old one.
 * A failure at any point leaves the old file as it was. A symlink at `path` is replaced,
 * never written through.
 */
export function writeFileAtomic(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    try {
      const bytes = Buffer.from(text, "utf8");
      for (let written = 0; written < bytes.length;) written += writeSync(fd, bytes, written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (err) {
    try {
      unlinkSync(temporary);
    } catch {
      // already renamed, or never written: nothing to clean
    }
    throw err;
  }
}
