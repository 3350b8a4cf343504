import { createHash, type Hash } from "node:crypto";
import type { ArchiveEntry } from "./entries.js";

/**
 * What identifies a source: each entry's path, type, mode, link target and content, in
 * archive order, and nothing else (not mtimes, owners or the compression), so a fresh
 * checkout of the same commit matches. Fields are length-prefixed: no two different
 * trees can produce the same byte sequence to hash.
 */
export class SourceDigest {
  private readonly hash: Hash = createHash("sha256").update("valar-source-v1\n");

  /** Starts an entry; a file's content follows through `content`. */
  entry(entry: ArchiveEntry): void {
    const fields = [entry.type, entry.path, entry.mode.toString(8), entry.target ?? "", String(entry.size)];
    let head = "";
    for (const field of fields) head += `${Buffer.byteLength(field)}:${field}`;
    this.hash.update(head);
  }

  content(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }

  hex(): string {
    return this.hash.digest("hex");
  }
}
