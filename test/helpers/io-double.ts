import { Readable, Writable } from "node:stream";
import { IOStreams } from "../../src/output/io.js";

export interface IODoubleOptions {
  /** stdout and stderr are terminals (both; set stdoutTTY/stderrTTY to tell them apart). */
  tty?: boolean;
  stdoutTTY?: boolean;
  stderrTTY?: boolean;
  columns?: number;
  /** What stdin holds (a pipe); a terminal when stdinTTY is set. */
  stdin?: string;
  stdinTTY?: boolean;
  /** A stdin of the test's own instead, e.g. a terminal it types into as the command reads. */
  stdinStream?: Readable & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
}

export interface IODouble {
  io: IOStreams;
  /** Everything written to stdout so far. */
  stdout: () => string;
  stderr: () => string;
}

/**
 * A stream that keeps what is written to it, and says whether it is a terminal. It copies
 * each chunk as it takes it, as a file descriptor does: a writer may reuse its buffer once
 * a write has completed (src/logs/byte-batch.ts does), and a kept reference would then
 * show bytes written later.
 */
function captured(isTTY: boolean, columns: number): { stream: Writable & { isTTY: boolean; columns: number }; text: () => string } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  const stream = Object.assign(sink, { isTTY, columns });
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

/**
 * The IOStreams test double (after gh's iostreams.Test()): in-memory stdout, stderr and
 * stdin, terminals or not as asked. Colour follows the same rules as in a real run, from
 * `env` (NO_COLOR, FORCE_COLOR, TERM).
 */
export function ioDouble(opts: IODoubleOptions = {}): IODouble {
  const columns = opts.columns ?? 80;
  const out = captured(opts.stdoutTTY ?? opts.tty ?? false, columns);
  const err = captured(opts.stderrTTY ?? opts.tty ?? false, columns);
  const stdin = () =>
    opts.stdinStream ?? Object.assign(Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]), { isTTY: opts.stdinTTY ?? false });
  const env = { TERM: "xterm-256color", ...opts.env };
  const io = new IOStreams({ stdout: out.stream, stderr: err.stream, stdin, env });
  return { io, stdout: out.text, stderr: err.text };
}
