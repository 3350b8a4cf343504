import { runCli } from "../../src/cli.js";
import type { Clock } from "../../src/app/context.js";
import { fakeClock } from "./fake-clock.js";
import { ioDouble, type IODoubleOptions } from "./io-double.js";
import { testEnv } from "./test-env.js";

export interface InProcessOptions extends IODoubleOptions {
  cwd?: string;
  clock?: Clock;
  /** Aborts the run as Ctrl-C would (its reason should be an InterruptedError). */
  signal?: AbortSignal;
}

export interface InProcessResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `valar ARGS` inside the test process: the same command tree, parsing, commands and
 * exit-code mapping as bin/valar, with an IO double, an injected clock (a fake one unless
 * given) and only the environment given — nothing of the test process's own settings.
 */
export async function runInProcess(args: string[], opts: InProcessOptions = {}): Promise<InProcessResult> {
  // A fresh HOME and config directory unless given: a command that stores a setting must
  // not create anything outside the test's temporary directories.
  const env: NodeJS.ProcessEnv = { ...testEnv(), ...opts.env };
  const double = ioDouble({ ...opts, env });
  const exitCode = await runCli(["node", "valar", ...args], {
    io: double.io,
    env: { TERM: "xterm-256color", ...env },
    cwd: opts.cwd ?? "/",
    clock: opts.clock ?? fakeClock(),
    signal: opts.signal ?? new AbortController().signal,
    version: "0.0.0-test",
  });
  await double.io.drained();
  return { exitCode, stdout: double.stdout(), stderr: double.stderr() };
}

export interface ValarOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** What stdin holds; without it, stdin is empty (not a terminal). */
  input?: string;
  clock?: Clock;
  tty?: boolean;
  columns?: number;
}

/**
 * `valar ARGS` in process, answering as test/helpers/cli.ts's runValar does for a spawned
 * one (stdout and stderr without their final newline, as execa gives them), so a test can
 * move between the tiers with its assertions unchanged. The fake clock starts at the real
 * time: fixtures dated relative to Date.now() read as they would in a spawned run.
 */
export async function valar(args: string[], opts: ValarOptions = {}): Promise<InProcessResult> {
  const { input, clock, ...rest } = opts;
  const r = await runInProcess(args, { ...rest, stdin: input, clock: clock ?? fakeClock(Date.now()) });
  const trim = (s: string) => s.replace(/\r?\n$/, "");
  return { exitCode: r.exitCode, stdout: trim(r.stdout), stderr: trim(r.stderr) };
}
