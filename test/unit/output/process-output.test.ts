import { afterEach, describe, expect, it, vi } from "vitest";
import { closeSync, createWriteStream, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { tempDir } from "../../helpers/cli.js";

// writeSync is the direct path: a test can make it fail the way a full non-blocking pipe or
// a closed reader makes it fail.
const fsMock = vi.hoisted(() => ({ failWith: [] as Array<{ code: string; after: number }> }));
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  return {
    ...fs,
    writeSync: (fd: number, buffer: Uint8Array, offset: number, length: number) => {
      const failure = fsMock.failWith.shift();
      if (failure === undefined) return fs.writeSync(fd, buffer, offset, length);
      // part of the bytes go out, then the descriptor refuses more
      const written = fs.writeSync(fd, buffer, offset, Math.min(length, failure.after));
      if (written < length) fsMock.failWith.unshift({ code: failure.code, after: 0 });
      if (failure.after === 0) throw Object.assign(new Error(failure.code), { code: failure.code });
      return written;
    },
  };
});

const { ProcessOutput, isTerminal } = await import("../../../src/output/process-output.js");

const dir = tempDir("valar-output-");
let n = 0;
function file(): { path: string; fd: number } {
  const path = join(dir, `out-${++n}`);
  return { path, fd: openSync(path, "w") };
}

afterEach(() => {
  fsMock.failWith = [];
});

describe("ProcessOutput", () => {
  it("writes to the descriptor without creating the stream", () => {
    const { path, fd } = file();
    const open = vi.fn(() => new PassThrough());
    const out = ProcessOutput.forDescriptor(fd as 1, open);
    expect(out.write("one\n")).toBe(true);
    out.write(Buffer.from("two ünïcode\n"));
    closeSync(fd);
    expect(readFileSync(path, "utf8")).toBe("one\ntwo ünïcode\n");
    expect(open).not.toHaveBeenCalled();
  });

  it("once the stream is asked for, every write goes through it, after the direct ones", async () => {
    const { path, fd } = file();
    const stream = createWriteStream("", { fd, autoClose: false });
    const out = ProcessOutput.forDescriptor(fd as 1, () => stream);
    out.write("direct\n");
    expect(out.stream).toBe(stream);
    out.write("streamed 1\n");
    stream.write("streamed 2\n");
    out.write("streamed 3\n");
    await out.drained();
    closeSync(fd);
    expect(readFileSync(path, "utf8")).toBe("direct\nstreamed 1\nstreamed 2\nstreamed 3\n");
  });

  it("a descriptor that would block (a full non-blocking pipe) hands the rest to the stream, in order", async () => {
    const { path, fd } = file();
    const stream = createWriteStream("", { fd, autoClose: false });
    const open = vi.fn(() => stream);
    const out = ProcessOutput.forDescriptor(fd as 1, open);
    out.write("first\n");
    fsMock.failWith = [{ code: "EAGAIN", after: 4 }];
    out.write("second line\n");
    out.write("third\n");
    expect(open).toHaveBeenCalledTimes(1);
    await out.drained();
    closeSync(fd);
    expect(readFileSync(path, "utf8")).toBe("first\nsecond line\nthird\n");
  });

  it("a failed write (EPIPE) reaches the handler once, at once, and nothing more is written", () => {
    const { path, fd } = file();
    const out = ProcessOutput.forDescriptor(fd as 1, () => new PassThrough());
    const handler = vi.fn();
    out.onError(handler);
    fsMock.failWith = [{ code: "EPIPE", after: 0 }];
    out.write("lost\n");
    expect(handler).toHaveBeenCalledTimes(1);
    out.write("also lost\n");
    expect(handler).toHaveBeenCalledTimes(1);
    expect(handler.mock.calls[0]![0]).toMatchObject({ code: "EPIPE" });
    closeSync(fd);
    expect(readFileSync(path, "utf8")).toBe("");
  });

  it("the error handler set before the stream exists hears the stream's errors too", async () => {
    const stream = new PassThrough();
    const out = ProcessOutput.forDescriptor(1, () => stream);
    const handler = vi.fn();
    out.onError(handler);
    void out.stream;
    stream.destroy(Object.assign(new Error("EPIPE"), { code: "EPIPE" }));
    await new Promise((resolve) => stream.on("close", resolve));
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it("a given stream (tests, embedding) is used as is", () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true });
    const out = ProcessOutput.ofStream(stream);
    out.write("x");
    expect(stream.read()?.toString()).toBe("x");
    expect(out.isTTY).toBe(true);
    expect(out.stream).toBe(stream);
  });
});

describe("isTerminal", () => {
  it("a file, /dev/null and a closed descriptor are no terminal", () => {
    const { fd } = file();
    expect(isTerminal(fd)).toBe(false);
    closeSync(fd);
    expect(isTerminal(fd)).toBe(false);
    const devNull = openSync("/dev/null", "w");
    expect(isTerminal(devNull)).toBe(false);
    closeSync(devNull);
  });
});
