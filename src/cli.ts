import { Command, CommanderError, Option } from "commander";
import { ExitCode, InterruptedError, ValarError, WaitTimeoutError, type StopSignal } from "./errors.js";
import { IOStreams } from "./output/io.js";
import { createRuntime, systemClock, type Runtime, type RuntimeState } from "./app/runtime.js";
import { debugRequested } from "./app/debug.js";
import { defineBuilds } from "./commands/builds/index.js";
import { defineDeploys } from "./commands/deploys/index.js";
import { defineAuth } from "./commands/auth/index.js";
import { defineConfig } from "./commands/config.js";
import { defineCompletion } from "./commands/completion.js";
import { defineSandbox } from "./commands/sandbox.js";
import { defineComplete } from "./commands/complete.js";
import { defineVersion } from "./commands/version.js";
import { configureRootHelp, defineHelp } from "./commands/help.js";
import { CommandGroup, commandHelp } from "./commands/shared/help-layout.js";
import { meantCommand } from "./commands/shared/mistakes.js";

// The bundle has the version written in (scripts/build.js), so --version reads no file.
declare const VALAR_VERSION: string | undefined;

function packageVersion(): string {
  return typeof VALAR_VERSION === "string" ? VALAR_VERSION : "0.0.0-dev";
}

/** The whole command tree. Command modules are light; each loads its heavy parts when it runs. */
export function buildProgram(rt: Runtime): Command {
  const program = new CommandGroup("valar")
    .description("Submit and watch builds on Valar, or run a local Valar-compatible build server")
    .version(rt.version, "-V, --version", "print the version")
    .option("--debug", "trace HTTP requests on stderr (token redacted); also VALAR_DEBUG=1")
    .addOption(new Option("--endpoint <url>", "API endpoint (default https://api.valar.dev/v2)"))
    .option("-p, --project <name>", "Valar project")
    .option("-s, --service <name>", "Valar service")
    // Valar's Go CLI prints its version with -v; -V stays for commander's users.
    .addOption(new Option("-v").hideHelp())
    .showSuggestionAfterError(true);
  program.on("option:v", () => {
    rt.io.println(rt.version);
    throw new CommanderError(0, "commander.version", rt.version);
  });

  program.addCommand(defineBuilds(rt));
  program.addCommand(defineDeploys(rt));
  program.addCommand(defineAuth(rt));
  program.addCommand(defineConfig(rt));
  // Help lists the groups in the order of their first command: builds, deploys, account, server, other.
  program.addCommand(defineSandbox(rt));
  program.addCommand(defineCompletion(rt));
  program.addCommand(defineVersion(rt));
  // Ours replaces commander's implicit one, which only looks one level down.
  program.helpCommand(false);
  program.addCommand(defineHelp(rt, program));
  program.addCommand(defineComplete(rt), { hidden: true });
  configureRootHelp(program);
  program.on("command:*", ([word]: string[]) => unknownTopLevel(program, word ?? ""));
  return program;
}

/** `valar logs` or `valar buidls`: a usage error that names the command the user meant. */
function unknownTopLevel(program: Command, word: string): never {
  const names = program.commands.filter((c) => !c.name().startsWith("__")).map((c) => c.name());
  const meant = meantCommand(word, names);
  return program.error(`error: unknown command '${word}'${meant ? ` (did you mean "valar ${meant}"?)` : ""}`, {
    code: "commander.unknownCommand",
    exitCode: ExitCode.USAGE,
  });
}

/** Apply the usage-error behaviour to every command in the tree. */
function configureTree(cmd: Command, io: IOStreams): void {
  cmd.exitOverride();
  // -p, -s, --endpoint and --debug work on every command that talks to the API, so its help lists them.
  cmd.configureHelp(commandHelp(cmd));
  cmd.configureOutput({
    writeOut: (s) => io.write(s),
    writeErr: (s) => io.writeErr(s),
    // commander's own answers look at process.stdout, which would create the stream. Like
    // them, no width for a non-terminal (commander's types say number; its default does the same).
    getOutHelpWidth: () => io.columns as number,
    getErrHelpWidth: () => io.stderrColumns as number,
    getOutHasColors: () => io.stdoutColor,
    getErrHasColors: () => io.stderrColor,
    outputError: (message, write) => {
      // Commander puts its "(Did you mean ls?)" on a line of its own: errors are one line.
      const text = message
        .replace(/^error:\s*/, "")
        .split("\n")
        .map((line) => line.trim())
        .filter(Boolean)
        .join(" ");
      write(`${io.err.red("error:")} ${text}\n`);
      write(`${io.err.dim("hint:")} see \`${commandPath(cmd)} --help\`\n`);
    },
  });
  for (const sub of cmd.commands) configureTree(sub, io);
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

const SIGNAL_ECHO_MS = 250;
/**
 * How long the clean-up after a first SIGTERM may take (an --abort-on-interrupt abort
 * included) before the process ends anyway: a CI runner that sends it kills soon after
 * (GitHub Actions 2.5 s later).
 */
const TERM_CLEANUP_BOUND_MS = 2_000;

/**
 * Ends the process by the signal itself, as its default action would have (the shell sees
 * 128 + its number: 130, 143). Not process.exit: Node waits at exit for its thread pool, and
 * a call stuck there (an open() of a FIFO blocks until a writer comes) never returns.
 */
function dieOf(signal: StopSignal, io: IOStreams): void {
  io.cleanup();
  // With no listener left, Node restores the signal's default action.
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
}

/** The single exit point: every error becomes its contract exit code here. */
export async function main(argv: string[]): Promise<number> {
  const io = IOStreams.fromProcess();
  // A reader that stops early (`valar builds ls -q | head -1`) closes the pipe: it has what
  // it wanted, so that is success, never Node's unhandled-EPIPE stack trace. The listener
  // stays: the error can arrive after main has returned, while stdout drains.
  io.onStdoutError((err) => {
    io.cleanup();
    if (err.code === "EPIPE") process.exit(ExitCode.OK);
    io.error(`cannot write to stdout: ${err.message}`);
    process.exit(ExitCode.FAILURE);
  });
  const interrupt = new AbortController();
  let firstInterrupt: number | undefined;
  // SIGTERM (a cancelled CI job) gets Ctrl-C's clean-up; only the exit code tells them apart.
  const onSignal = (signal: StopSignal) => {
    // conf's atomic writer (when-exit) re-raises the signal it sees once: that echo, arriving
    // within milliseconds, is the same Ctrl-C, not a second one asking for an immediate exit.
    if (firstInterrupt !== undefined && Date.now() - firstInterrupt > SIGNAL_ECHO_MS) return dieOf(signal, io);
    if (signal === "SIGTERM" && firstInterrupt === undefined) setTimeout(() => dieOf(signal, io), TERM_CLEANUP_BOUND_MS).unref();
    firstInterrupt ??= Date.now();
    interrupt.abort(new InterruptedError("interrupted", { signal }));
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));

  const code = await runCli(argv, {
    io,
    env: process.env,
    cwd: process.cwd(),
    clock: systemClock,
    signal: interrupt.signal,
    version: packageVersion(),
  });
  // The Ctrl-C listeners stay until the process exits: conf's when-exit re-raises a signal
  // after main has returned, and without a listener that echo would kill the process
  // (losing buffered stdout and the exit code). Listeners do not keep the process alive.
  // The launcher exits as soon as this resolves, not when every handle (keep-alive sockets,
  // timers, a tier-up compile) has wound down on its own: the output must be out first.
  await io.drained();
  return code;
}

/**
 * One run of the command tree in a given world, returning the exit code: what `main` does
 * for the process, and what the in-process tests (test/helpers/run-in-process.ts) call with
 * an IO double, a fake clock and their own environment.
 */
export async function runCli(argv: string[], world: Omit<Runtime, "action">): Promise<number> {
  const { io } = world;
  const state: RuntimeState = { exitCode: 0 };
  const rt = createRuntime(world, state);
  const program = buildProgram(rt);
  configureTree(program, io);
  const debug = debugRequested(argv, world.env);
  try {
    await program.parseAsync(argv);
    return state.exitCode;
  } catch (err) {
    return reportError(err, io, debug);
  } finally {
    io.cleanup();
  }
}

function reportError(err: unknown, io: IOStreams, debug: boolean): number {
  if (err instanceof CommanderError) {
    // Help and version displays are "errors" to commander; they are successes to us.
    if (err.exitCode === 0 || err.code === "commander.helpDisplayed" || err.code === "commander.version") return 0;
    if (err.code === "commander.help") return 0;
    return ExitCode.USAGE; // commander already printed the message and hint
  }
  if (err instanceof ValarError) {
    const deliberate = err instanceof InterruptedError || err instanceof WaitTimeoutError;
    if (err.message && deliberate) io.stopped(err.message, err.hint);
    else if (err.message) io.error(err.message, err.hint);
    if (debug && err.stack && err.message) io.note(io.err.dim(err.stack));
    return err.exitCode;
  }
  if (err instanceof Error && err.name === "AbortError") {
    io.stopped("interrupted");
    return err.cause instanceof InterruptedError ? err.cause.exitCode : ExitCode.INTERRUPTED;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.error(message.split("\n")[0] || "unexpected failure", debug ? undefined : "run again with --debug for details");
  if (debug && err instanceof Error && err.stack) io.note(io.err.dim(err.stack));
  return ExitCode.FAILURE;
}
