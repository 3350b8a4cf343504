import { gzipSync } from "node:zlib";
import { Header } from "tar";

export interface RawEntry {
  path: string;
  type?: "File" | "Directory" | "SymbolicLink" | "Link" | "FIFO";
  linkpath?: string;
  content?: string;
}

/** A .tar.gz written header by header, so it can hold what no honest tool would write. */
export function rawTarGz(entries: RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.content ?? "");
    const type = e.type ?? "File";
    const header = new Header({
      path: e.path,
      type,
      linkpath: e.linkpath,
      size: type === "File" ? data.length : 0,
      mode: type === "Directory" ? 0o755 : 0o644,
      mtime: new Date(0),
      uid: 0,
      gid: 0,
    });
    const block = Buffer.alloc(512);
    header.encode(block);
    blocks.push(block);
    if (type === "File" && data.length) {
      blocks.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}
