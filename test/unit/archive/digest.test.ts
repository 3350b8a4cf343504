import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SourceDigest } from "../../../src/archive/digest.js";

describe("SourceDigest", () => {
  it("hashes each entry's fields length-prefixed, in bytes, then its content", () => {
    const digest = new SourceDigest();
    digest.entry({ path: "é/a.txt", type: "file", size: 3, mode: 0o644, mtimeMs: 1 });
    digest.content(Buffer.from("abc"));
    digest.entry({ path: "link", type: "symlink", size: 0, mode: 0o777, mtimeMs: 2, target: "é/a.txt" });
    // The layout a digest stored by an earlier version was computed from: it must not change.
    const expected = createHash("sha256")
      .update("valar-source-v1\n")
      .update("4:file8:é/a.txt3:6440:1:3abc")
      .update("7:symlink4:link3:7778:é/a.txt1:0")
      .digest("hex");
    expect(digest.hex()).toBe(expected);
  });
});
