import { describe, expect, it } from "vitest";
import { PassThrough, Readable } from "node:stream";
import { readPrefixArgument, resolveBuild, validatePrefix, type BuildLister } from "../../../src/builds/resolve-prefix.js";
import type { Build } from "../../../src/api/types.js";
import { ExitCode, NotFoundError, UsageError, type ValarError } from "../../../src/errors.js";
import { ioDouble } from "../../helpers/io-double.js";

const NOW = Date.parse("2026-01-10T12:00:00Z");
const clock = { now: () => NOW, sleep: async () => {} };

function b(id: string, status = "done", minutesAgo = 1): Build {
  return { id, status, error: "", createdAt: new Date(NOW - minutesAgo * 60_000).toISOString() };
}

/** An in-memory BuildsApi: answers like the API (newest first, prefix filter) and records calls. */
function fakeApi(builds: Build[], answer?: (prefix?: string) => Build[]) {
  const calls: Array<string | undefined> = [];
  const api: BuildLister = {
    project: "p",
    service: "s",
    list: async (prefix?: string) => {
      calls.push(prefix);
      return answer ? answer(prefix) : builds.filter((x) => !prefix || x.id.startsWith(prefix));
    },
  };
  return { api, calls };
}

async function rejection(p: Promise<unknown>): Promise<ValarError> {
  try {
    await p;
  } catch (err) {
    return err as ValarError;
  }
  throw new Error("expected a rejection");
}

describe("validatePrefix", () => {
  it.each(["a", "a1b2", "A1B2-c3", "a1b2c3d4-e5f6-7890-abcd-ef1234567890", "-x"])("accepts %j", (p) => {
    expect(validatePrefix(p)).toBe(p);
  });

  it.each(["", "a b", "a/b", "a?b", "ä", "a\nb", "..", "a_b", "%41"])("rejects %j with a usage error", (p) => {
    expect(() => validatePrefix(p)).toThrow(UsageError);
  });

  it("quotes control characters instead of printing them raw", () => {
    expect(() => validatePrefix("a\u001b[31m")).toThrow('invalid build ID prefix "a\\u001b[31m"');
  });
});

describe("readPrefixArgument", () => {
  const io = (text: string | string[]) => ({ io: ioDouble({ stdinStream: Readable.from(Array.isArray(text) ? text : [text]) }).io });

  it("passes a plain argument through, validated", async () => {
    expect(await readPrefixArgument(io(""), "a1")).toBe("a1");
    await expect(readPrefixArgument(io(""), "a/1")).rejects.toThrow(UsageError);
  });

  it("undefined stays undefined (the newest build)", async () => {
    expect(await readPrefixArgument(io(""), undefined)).toBeUndefined();
  });

  it("- reads the first line of stdin, trimmed, even split across chunks", async () => {
    expect(await readPrefixArgument(io(["a1b", "2c3\r\nsecond\n"]), "-")).toBe("a1b2c3");
    expect(await readPrefixArgument(io("  b2  "), "-")).toBe("b2");
  });

  it("- does not wait for the end of stdin once a line is there", async () => {
    const stdin = new PassThrough();
    stdin.write("c3d4\n"); // never ended: a writer that keeps the pipe open
    const ctx = { io: ioDouble({ stdinStream: stdin }).io };
    expect(await readPrefixArgument(ctx, "-")).toBe("c3d4");
  });

  it("- with nothing on stdin, or an invalid line, is a usage error", async () => {
    await expect(readPrefixArgument(io(""), "-")).rejects.toThrow("no build ID on stdin");
    await expect(readPrefixArgument(io("\nabc\n"), "-")).rejects.toThrow("no build ID on stdin");
    await expect(readPrefixArgument(io("a b\n"), "-")).rejects.toThrow(UsageError);
  });
});

describe("resolveBuild", () => {
  const X = b("a1b2c3d4-0000", "done", 3);
  const Y = b("a1b2ffff-0000", "failed", 120);
  const Z = b("b2c3d4e5-0000", "running", 0);

  it("no prefix: the newest build (the API's first)", async () => {
    const { api, calls } = fakeApi([Z, X, Y]);
    expect(await resolveBuild({ clock }, api, undefined)).toBe(Z);
    expect(calls).toEqual([undefined]);
  });

  it("no prefix and no builds: not found", async () => {
    const err = await rejection(resolveBuild({ clock }, fakeApi([]).api, undefined));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.exitCode).toBe(ExitCode.NOT_FOUND);
    expect(err.message).toBe("no builds in p/s yet");
  });

  it("exactly one match: that build, asked for by prefix", async () => {
    const { api, calls } = fakeApi([Z, X, Y]);
    expect(await resolveBuild({ clock }, api, "b")).toBe(Z);
    expect(calls).toEqual(["b"]);
  });

  it("no match: exit 5", async () => {
    const err = await rejection(resolveBuild({ clock }, fakeApi([X]).api, "ff"));
    expect(err.exitCode).toBe(5);
    expect(err.message).toBe('no build matches "ff" in p/s');
  });

  it("several matches: exit 5 listing id, status and age, aligned", async () => {
    const err = await rejection(resolveBuild({ clock }, fakeApi([Z, X, Y]).api, "a1b2"));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toBe(
      ['"a1b2" matches 2 builds:', "  a1b2c3d4-0000  done    3 minutes ago", "  a1b2ffff-0000  failed  2 hours ago"].join("\n"),
    );
    expect(err.hint).toBe("give more characters of the ID");
  });

  it("several matches, one exactly the prefix: that one", async () => {
    const exact = b("a1b2", "pending");
    expect(await resolveBuild({ clock }, fakeApi([X, exact, Y]).api, "a1b2")).toBe(exact);
  });

  it("lists at most ten candidates, then says how many more", async () => {
    const many = Array.from({ length: 13 }, (_, i) => b(`c${String(i).padStart(2, "0")}`));
    const err = await rejection(resolveBuild({ clock }, fakeApi(many).api, "c"));
    const lines = err.message.split("\n");
    expect(lines[0]).toBe('"c" matches 13 builds:');
    expect(lines).toHaveLength(12);
    expect(lines[11]).toBe("  … and 3 more");
  });

  it("ignores builds a careless server returns that do not start with the prefix", async () => {
    const { api } = fakeApi([], () => [X, Z]);
    expect(await resolveBuild({ clock }, api, "b2")).toBe(Z);
    await expect(resolveBuild({ clock }, api, "ff")).rejects.toThrow(NotFoundError);
  });

  it("refuses an invalid prefix without asking the API", async () => {
    const { api, calls } = fakeApi([X]);
    await expect(resolveBuild({ clock }, api, "a/b")).rejects.toThrow(UsageError);
    expect(calls).toEqual([]);
  });
});
