import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { promptSecret, readPipedToken } from "../../../../src/commands/auth/read-token.js";
import { maskToken } from "../../../../src/commands/auth/mask.js";
import { InterruptedError, UsageError } from "../../../../src/errors.js";
import { ioDouble } from "../../../helpers/io-double.js";

function fakeTerminal() {
  const stdin = Object.assign(new PassThrough(), {
    isTTY: true,
    isRaw: false,
    modes: [] as boolean[],
    setRawMode(mode: boolean) {
      this.isRaw = mode;
      this.modes.push(mode);
      return this;
    },
  });
  const { io, stderr } = ioDouble({ stdinStream: stdin });
  return { io, stdin, stderrText: stderr };
}

describe("promptSecret", () => {
  it("reads a line without echo and restores the terminal", async () => {
    const t = fakeTerminal();
    const p = promptSecret(t.io, "Token: ", new AbortController().signal);
    t.stdin.write("abcx\u007fd");
    t.stdin.write("ef\r");
    expect(await p).toBe("abcdef");
    expect(t.stdin.modes).toEqual([true, false]);
    expect(t.stderrText()).toBe("Token: \n");
  });

  it("Ctrl-C rejects as an interruption and restores the terminal", async () => {
    const t = fakeTerminal();
    const p = promptSecret(t.io, "Token: ", new AbortController().signal);
    t.stdin.write("abc\u0003");
    await expect(p).rejects.toBeInstanceOf(InterruptedError);
    expect(t.stdin.isRaw).toBe(false);
  });

  it("an aborted signal (SIGTERM) restores the terminal too", async () => {
    const t = fakeTerminal();
    const ctl = new AbortController();
    const p = promptSecret(t.io, "Token: ", ctl.signal);
    ctl.abort(new InterruptedError());
    await expect(p).rejects.toBeInstanceOf(InterruptedError);
    expect(t.stdin.isRaw).toBe(false);
  });

  it("Ctrl-D on an empty line is a usage error", async () => {
    const t = fakeTerminal();
    const p = promptSecret(t.io, "Token: ", new AbortController().signal);
    t.stdin.write("\u0004");
    await expect(p).rejects.toBeInstanceOf(UsageError);
    expect(t.stdin.isRaw).toBe(false);
  });
});

describe("readPipedToken", () => {
  const piped = (text: string) => ioDouble({ stdin: text }).io;
  it("takes the first non-empty line, trimmed", async () => {
    expect(await readPipedToken(piped("\n  tok-1 \r\nsecond\n"))).toBe("tok-1");
  });
  it("empty input is a usage error", async () => {
    await expect(readPipedToken(piped(" \n"))).rejects.toBeInstanceOf(UsageError);
  });
});

describe("maskToken", () => {
  it("shows four characters at each end of a long token, nothing of a short one", () => {
    expect(maskToken("abcd0123456789wxyz")).toBe("abcd…wxyz");
    expect(maskToken("abcdefghijk")).toBe("****");
  });
});
