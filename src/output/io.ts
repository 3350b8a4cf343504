import { Chalk, type ChalkInstance } from "chalk";
import type { Readable, Writable } from "node:stream";
import { animationEnabled, colorEnabled } from "./color.js";
import { stripControl } from "./text.js";

export interface Spinner {
  /** Replace the spinner's text (ignored when no spinner is drawn). */
  update(text: string): void;
  /** Remove the spinner and leave the line clean; optionally print a final line. */
  stop(finalLine?: string): void;
}

export interface IOStreamsOptions {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  /** A function: creating process.stdin opens it, which only a command that reads it should pay for. */
  stdin: () => Readable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/**
 * The one object commands write through (after GitHub CLI's IOStreams). It knows whether
 * each stream is a terminal and whether colour and animation are allowed; nothing else in
 * the CLI tests isTTY or writes to process.stdout directly.
 */
export class IOStreams {
  readonly stdout: IOStreamsOptions["stdout"];
  readonly stderr: IOStreamsOptions["stderr"];
  private readonly openStdin: IOStreamsOptions["stdin"];
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  /** Colours for text written to stdout / stderr (level 0 when colour is off). */
  readonly out: ChalkInstance;
  readonly err: ChalkInstance;
  readonly canAnimate: boolean;
  private readonly activeSpinners = new Set<Spinner>();
  private animated = false;
  /**
   * Ctrl-C on a terminal echoes "^C" where the cursor is. Until something clears that line
   * (a spinner stopping does), the next message starts on a fresh line instead of after it.
   */
  private ctrlCEchoed = false;
  private interrupted = false;
  private readonly onInterrupt = () => {
    // Only the first: a later SIGINT is conf's re-raised echo of it (no key, no "^C").
    if (this.stderrIsTTY && !this.interrupted) this.ctrlCEchoed = true;
    this.interrupted = true;
  };
  private interruptSource?: NodeJS.Process;

  constructor(opts: IOStreamsOptions) {
    this.stdout = opts.stdout;
    this.stderr = opts.stderr;
    this.openStdin = opts.stdin;
    this.stdoutIsTTY = Boolean(opts.stdout.isTTY);
    this.stderrIsTTY = Boolean(opts.stderr.isTTY);
    this.out = new Chalk({ level: colorEnabled(this.stdoutIsTTY, opts.env) ? 1 : 0 });
    this.err = new Chalk({ level: colorEnabled(this.stderrIsTTY, opts.env) ? 1 : 0 });
    // A terminal that reports zero columns (e.g. `script` with no size) makes ora redraw
    // forever: there is no line to redraw on, so draw nothing.
    this.canAnimate = animationEnabled(this.stderrIsTTY, opts.env) && opts.stderr.columns !== 0;
  }

  static fromProcess(): IOStreams {
    const io = new IOStreams({
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: () => process.stdin,
      env: process.env,
    });
    io.interruptSource = process;
    process.on("SIGINT", io.onInterrupt);
    return io;
  }

  /** Human text on stderr: first past a "^C" the terminal echoed, so it starts a clean line. */
  private writeErr(text: string): void {
    if (this.ctrlCEchoed) {
      this.ctrlCEchoed = false;
      text = "\n" + text;
    }
    this.stderr.write(text);
  }

  get stdin(): ReturnType<IOStreamsOptions["stdin"]> {
    return this.openStdin();
  }

  get stdinIsTTY(): boolean {
    return Boolean(this.stdin.isTTY);
  }

  /** Terminal width of stdout, or undefined when it is not a terminal. */
  get columns(): number | undefined {
    return this.stdoutIsTTY ? this.stdout.columns : undefined;
  }

  /** Data: one line to stdout. */
  println(line = ""): void {
    this.stdout.write(line + "\n");
  }

  /** Data: raw text to stdout, as is. Returns false when the stream wants a pause. */
  write(text: string): boolean {
    return this.stdout.write(text);
  }

  /** The one JSON document of `--json`. */
  printJson(value: unknown): void {
    this.stdout.write(JSON.stringify(value, null, 2) + "\n");
  }

  /** Human notes, progress and warnings: one line to stderr. */
  note(line: string): void {
    this.writeErr(line + "\n");
  }

  warn(message: string): void {
    this.writeErr(`${this.err.yellow("warning:")} ${stripControl(message)}\n`);
  }

  success(message: string): void {
    this.writeErr(`${this.err.green("✓")} ${message}\n`);
  }

  /** Messages often carry server text: its control characters never reach the terminal. */
  error(message: string, hint?: string): void {
    this.writeErr(`${this.err.red("error:")} ${stripControl(message)}\n`);
    if (hint) this.writeErr(`${this.err.dim("hint:")} ${stripControl(hint)}\n`);
  }

  /** An animation drawing on stderr (./spinner.ts): stopped by cleanup() if still running. */
  track(spinner: Spinner): void {
    this.animated = true;
    this.activeSpinners.add(spinner);
  }

  untrack(spinner: Spinner): void {
    this.activeSpinners.delete(spinner);
  }

  /** Something redrew the current stderr line, so an echoed "^C" is gone with it. */
  lineCleared(): void {
    this.ctrlCEchoed = false;
  }

  /** Stop anything still drawing so the terminal is left clean (called on every exit). */
  cleanup(): void {
    for (const s of [...this.activeSpinners]) s.stop();
    // ora hides the cursor; a kill mid-spin must not leave it hidden.
    if (this.animated) this.stderr.write("\u001B[?25h");
    this.interruptSource?.off("SIGINT", this.onInterrupt);
  }
}
