import { fstatSync, statSync, writeSync } from "node:fs";
import type { Writable } from "node:stream";

export type OutputStream = Writable & { isTTY?: boolean; columns?: number };

type ErrorHandler = (err: NodeJS.ErrnoException) => void;

/**
 * Whether a descriptor is a terminal. A terminal is a character device, so a file, a pipe or
 * a socket is answered from one fstat, and /dev/null (a character device) from its device
 * number; only what is left asks node:tty, whose loading pulls in net and the stream
 * modules. On Windows fstat cannot tell a console, so node:tty always answers.
 */
export function isTerminal(fd: number): boolean {
  if (process.platform !== "win32") {
    try {
      const stat = fstatSync(fd);
      if (!stat.isCharacterDevice()) return false;
      if (stat.rdev === statSync("/dev/null").rdev) return false;
    } catch {
      return false; // a closed descriptor is no terminal (tty.isatty says the same)
    }
  }
  return process.getBuiltinModule("node:tty").isatty(fd);
}

/**
 * stdout or stderr, written to the descriptor directly until something needs Node's stream.
 * Creating process.stdout loads net, tty and the stream modules, some twenty-five of Node's
 * internal modules: about a tenth of a short command's run (`--version`, `--help`, a usage
 * error), which only prints a few lines. Those are written with writeSync, as Node's own
 * stream writes to files and (on Linux) pipes. The stream is created when a caller asks for
 * it (streaming a log, a spinner) or when the descriptor would block (a non-blocking pipe
 * that is full); from then on every write goes through it, so the order holds.
 */
export class ProcessOutput {
  private opened?: OutputStream;
  private tty?: boolean;
  private broken = false;
  private errorHandler?: ErrorHandler;

  private constructor(
    private readonly fd: number | undefined,
    private readonly open: () => OutputStream,
  ) {}

  /** Descriptor 1 or 2; `open` gives process.stdout or process.stderr when needed. */
  static forDescriptor(fd: 1 | 2, open: () => OutputStream): ProcessOutput {
    return new ProcessOutput(fd, open);
  }

  /** A stream that exists already (tests give theirs): every write goes to it. */
  static ofStream(stream: OutputStream): ProcessOutput {
    const output = new ProcessOutput(undefined, () => stream);
    output.opened = stream;
    return output;
  }

  /** The stream itself, created on first use; writes made before it are already out. */
  get stream(): OutputStream {
    if (this.opened === undefined) {
      this.opened = this.open();
      if (this.errorHandler) this.opened.on("error", this.errorHandler);
    }
    return this.opened;
  }

  get isTTY(): boolean {
    if (this.fd === undefined || this.opened !== undefined) return Boolean(this.stream.isTTY);
    return (this.tty ??= isTerminal(this.fd));
  }

  /** Called with a write's failure (EPIPE when the reader went away), once. */
  onError(handler: ErrorHandler): void {
    this.errorHandler = handler;
    this.opened?.on("error", handler);
  }

  /** Returns false when the stream asks the caller to wait for "drain", as Writable.write does. */
  write(chunk: string | Uint8Array): boolean {
    if (this.opened !== undefined || this.fd === undefined) return this.stream.write(chunk);
    if (this.broken) return true;
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    let done = 0;
    try {
      while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
      return true;
    } catch (err) {
      // The stream waits for a full non-blocking pipe; a direct write cannot.
      if ((err as NodeJS.ErrnoException).code === "EAGAIN") return this.stream.write(bytes.subarray(done));
      // Nothing more is written. The handler hears of it at once: a stream would tell it a
      // turn later, but a short command may have returned (and exited 0) by then.
      this.broken = true;
      this.errorHandler?.(err as NodeJS.ErrnoException);
      return true;
    }
  }

  /** Resolves once what was written to the stream has been handed to the system (or it failed). */
  drained(): Promise<void> {
    const stream = this.opened;
    return new Promise((resolve) => {
      if (stream === undefined || stream.writableLength === 0 || stream.destroyed || stream.writableEnded) return resolve();
      // "drain" comes only after a write that returned false; an empty write's callback runs
      // once everything before it is out (or failed).
      stream.write("", () => resolve());
      stream.once("close", resolve);
    });
  }
}
