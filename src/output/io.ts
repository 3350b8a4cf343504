import { Chalk, type ChalkInstance } from "chalk";
import type { Readable } from "node:stream";
import { animationEnabled, colorEnabled } from "./color.js";
import { ProcessOutput, type OutputStream } from "./process-output.js";
import { escapeControl, stripControl } from "./text.js";

export interface Spinner {
  /** Replace the spinner's text (ignored when no spinner is drawn). */
  update(text: string): void;
  /** Remove the spinner and leave the line clean; optionally print a final line. */
  stop(finalLine?: string): void;
}

export interface IOStreamsOptions {
  stdout: OutputStream | ProcessOutput;
  stderr: OutputStream | ProcessOutput;
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
  private readonly stdoutOutput: ProcessOutput;
  private readonly stderrOutput: ProcessOutput;
  private readonly openStdin: IOStreamsOptions["stdin"];
  private readonly env: NodeJS.ProcessEnv;
  private outChalk?: ChalkInstance;
  private errChalk?: ChalkInstance;
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

  // What a stream is (terminal or not), the colours and the streams themselves are found
  // out when first asked: a command that prints a line needs none of them.
  constructor(opts: IOStreamsOptions) {
    this.stdoutOutput = opts.stdout instanceof ProcessOutput ? opts.stdout : ProcessOutput.ofStream(opts.stdout);
    this.stderrOutput = opts.stderr instanceof ProcessOutput ? opts.stderr : ProcessOutput.ofStream(opts.stderr);
    this.openStdin = opts.stdin;
    this.env = opts.env;
  }

  static fromProcess(): IOStreams {
    const io = new IOStreams({
      stdout: ProcessOutput.forDescriptor(1, () => process.stdout),
      stderr: ProcessOutput.forDescriptor(2, () => process.stderr),
      stdin: () => process.stdin,
      env: process.env,
    });
    io.interruptSource = process;
    process.on("SIGINT", io.onInterrupt);
    return io;
  }

  /** Node's stdout stream, for writers that need one (a streamed log); created on first use. */
  get stdout(): OutputStream {
    return this.stdoutOutput.stream;
  }

  get stderr(): OutputStream {
    return this.stderrOutput.stream;
  }

  get stdoutIsTTY(): boolean {
    return this.stdoutOutput.isTTY;
  }

  get stderrIsTTY(): boolean {
    return this.stderrOutput.isTTY;
  }

  /** Colours for text written to stdout / stderr (level 0 when colour is off). */
  get out(): ChalkInstance {
    return (this.outChalk ??= new Chalk({ level: this.stdoutColor ? 1 : 0 }));
  }

  get err(): ChalkInstance {
    return (this.errChalk ??= new Chalk({ level: this.stderrColor ? 1 : 0 }));
  }

  get stdoutColor(): boolean {
    return colorEnabled(this.stdoutIsTTY, this.env);
  }

  get stderrColor(): boolean {
    return colorEnabled(this.stderrIsTTY, this.env);
  }

  get canAnimate(): boolean {
    // A terminal that reports zero columns (e.g. `script` with no size) makes ora redraw
    // forever: there is no line to redraw on, so draw nothing.
    return animationEnabled(this.stderrIsTTY, this.env) && this.stderr.columns !== 0;
  }

  /** Called when writing to stdout fails (EPIPE: the reader went away), once. */
  onStdoutError(handler: (err: NodeJS.ErrnoException) => void): void {
    this.stdoutOutput.onError(handler);
  }

  /** Resolves once everything written has been handed to the system. */
  async drained(): Promise<void> {
    await Promise.all([this.stdoutOutput.drained(), this.stderrOutput.drained()]);
  }

  /** Human text on stderr: first past a "^C" the terminal echoed, so it starts a clean line. */
  writeErr(text: string): void {
    if (this.ctrlCEchoed) {
      this.ctrlCEchoed = false;
      text = "\n" + text;
    }
    this.stderrOutput.write(text);
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

  /** Terminal width of stderr, or undefined when it is not a terminal. */
  get stderrColumns(): number | undefined {
    return this.stderrIsTTY ? this.stderr.columns : undefined;
  }

  /** Data: one line to stdout. */
  println(line = ""): void {
    this.stdoutOutput.write(line + "\n");
  }

  /** Data: raw text to stdout, as is. Returns false when the stream wants a pause. */
  write(text: string): boolean {
    return this.stdoutOutput.write(text);
  }

  /** The one JSON document of `--json`. */
  printJson(value: unknown): void {
    this.stdoutOutput.write(JSON.stringify(value, null, 2) + "\n");
  }

  /** Human notes, progress and warnings: one line to stderr. */
  note(line: string): void {
    this.writeErr(line + "\n");
  }

  /** One line: a file name in it (`skipping a\nb`) shows its control characters escaped. */
  warn(message: string): void {
    this.writeErr(`${this.err.yellow("warning:")} ${escapeControl(message)}\n`);
  }

  success(message: string): void {
    this.writeErr(`${this.marks ? this.err.green("✓") : "ok"} ${message}\n`);
  }

  /** Whether stderr shows marks (✓ ✗ ·): off a terminal and with TERM=dumb, plain ASCII words instead. */
  get marks(): boolean {
    return this.stderrIsTTY && this.env.TERM !== "dumb";
  }

  /** A deliberate stop (Ctrl-C, --timeout) is no error: said plainly, with what to do next. */
  stopped(message: string, hint?: string): void {
    this.writeErr(`${stripControl(message)}\n`);
    if (hint) this.writeErr(`${this.err.dim("hint:")} ${stripControl(hint)}\n`);
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
