import { InterruptedError, UsageError } from "../../errors.js";
import type { IOStreams } from "../../output/io.js";

type RawInput = IOStreams["stdin"] & { setRawMode?: (mode: boolean) => unknown; isRaw?: boolean };

/** A token piped on stdin: its first non-empty line, trimmed. */
export async function readPipedToken(io: IOStreams): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(buf);
    size += buf.length;
    if (size > 64 * 1024) throw new UsageError("stdin holds more than 64 KiB: that is not a token");
  }
  const line = Buffer.concat(chunks)
    .toString("utf8")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== "");
  if (!line) {
    throw new UsageError("no token on stdin", { hint: 'pipe it in: printf %s "$TOKEN" | valar auth login' });
  }
  return line;
}

/**
 * Prompts on stderr and reads a line from a terminal without echoing it. Raw mode is
 * switched off again on every way out: Enter, Ctrl-C, Ctrl-D, the stream ending, or the
 * signal aborting.
 */
export function promptSecret(io: IOStreams, prompt: string, signal: AbortSignal): Promise<string> {
  const input = io.stdin as RawInput;
  const wasRaw = Boolean(input.isRaw);
  io.stderr.write(prompt);
  return new Promise<string>((resolve, reject) => {
    let value = "";
    const finish = (err: Error | undefined) => {
      input.off("data", onData);
      input.off("end", onEnd);
      signal.removeEventListener("abort", onAbort);
      input.setRawMode?.(wasRaw);
      input.pause();
      io.stderr.write("\n");
      if (err) reject(err);
      else resolve(value.trim());
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === "\r" || ch === "\n") return finish(undefined);
        if (ch === "\u0003") return finish(new InterruptedError());
        if (ch === "\u0004") return finish(value ? undefined : new UsageError("no token entered"));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else if (ch >= " ") value += ch;
      }
    };
    const onEnd = () => finish(value ? undefined : new UsageError("no token entered"));
    const onAbort = () => finish(signal.reason instanceof Error ? signal.reason : new InterruptedError());
    if (signal.aborted) return finish(new InterruptedError());
    input.setRawMode?.(true);
    input.on("data", onData);
    input.once("end", onEnd);
    signal.addEventListener("abort", onAbort, { once: true });
    input.resume();
  });
}
