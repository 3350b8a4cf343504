import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../../helpers/cli.js";
import { LogBook } from "../../../../src/sandbox/store/log-book.js";

describe("LogBook", () => {
  it("writes whole JSON lines and follows without losing or repeating one", () => {
    const dir = tempDir();
    const book = new LogBook((id) => join(dir, `${id}.log`));
    book.append("b1", "WRAPPER", "SETUP", "first");
    const seen: string[] = [];
    let ended = false;
    const sub = book.follow("b1", { line: (l) => seen.push(l), end: () => (ended = true) });
    book.append("b1", "PROCESS", "", "second");
    book.append("b2", "PROCESS", "", "other build");
    book.finish("b1");
    expect(ended).toBe(true);
    const all = (sub.existing + seen.join(""))
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(all.map((e) => [e.source, e.stage, e.content])).toEqual([
      ["WRAPPER", "SETUP", "first"],
      ["PROCESS", "", "second"],
    ]);
    expect(Number.isNaN(Date.parse(all[0].timestamp))).toBe(false);
    expect(book.read("b1")).toBe(sub.existing + seen.join(""));
  });

  it("stops telling a follower that went away; removes a log", () => {
    const dir = tempDir();
    const book = new LogBook((id) => join(dir, `${id}.log`));
    const seen: string[] = [];
    const sub = book.follow("b", { line: (l) => seen.push(l), end: () => {} });
    expect(sub.existing).toBe("");
    sub.stop();
    book.append("b", "PROCESS", "", "unseen");
    expect(seen).toEqual([]);
    book.remove("b");
    expect(existsSync(join(dir, "b.log"))).toBe(false);
    expect(book.read("b")).toBe("");
  });

  it("never throws on a full disk: the build is reported once, and only the sandbox's own lines are tried after", () => {
    // Every write to /dev/full fails with ENOSPC (and reading it never ends: no follower here).
    const book = new LogBook(() => "/dev/full");
    const failures: [string, string][] = [];
    book.onWriteFailure((id, err) => failures.push([id, (err as NodeJS.ErrnoException).code ?? ""]));
    expect(() => book.append("b", "PROCESS", "", "output")).not.toThrow();
    expect(() => book.append("b", "PROCESS", "", "more output")).not.toThrow();
    expect(() => book.append("b", "WRAPPER", "TURNDOWN", "build failed")).not.toThrow();
    expect(failures).toEqual([["b", "ENOSPC"]]);
    book.finish("b");
  });

  it("reports a log it cannot even open, without throwing", () => {
    const book = new LogBook(() => "/nonexistent-dir/x.log");
    const failures: string[] = [];
    book.onWriteFailure((id) => failures.push(id));
    expect(() => book.append("b", "PROCESS", "", "output")).not.toThrow();
    expect(failures).toEqual(["b"]);
  });
});
