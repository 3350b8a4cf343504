import { Command } from "commander";
import type { Runtime } from "../app/runtime.js";
import type { Ctx } from "../app/context.js";
import { ExitCode, UsageError } from "../errors.js";
import { withExamples } from "./shared/options.js";
import { hanging, localCommand, withParagraph, wrapShellLine, wrapWords } from "./shared/help-layout.js";
import { waitingTopic } from "./waiting-topic.js";

/** The contract's exit codes, in the words `--help` and `valar help exit-codes` use. */
const EXIT_CODES: ReadonlyArray<readonly [number, string]> = [
  [ExitCode.OK, "success; for a command that waits for a build: the build is done"],
  [ExitCode.FAILURE, "the operation failed (e.g. abort of a finished build)"],
  [ExitCode.USAGE, "usage error: unknown command or flag, missing or malformed argument"],
  [ExitCode.BUILD_UNSUCCESSFUL, "the build ended unsuccessfully (failed, expired, aborted)"],
  [ExitCode.AUTH, "not authenticated or not allowed: no token, HTTP 401 or 403"],
  [ExitCode.NOT_FOUND, "not found: no such build or deployment, ambiguous prefix, logs expired"],
  [ExitCode.UNREACHABLE, "the API could not be reached or kept failing"],
  [ExitCode.NOT_ENDED, "builds status of a build that has not ended (pending, running)"],
  [ExitCode.TIMEOUT, "a waiting command's --timeout ran out (the build goes on)"],
  [ExitCode.INTERRUPTED, "interrupted (Ctrl-C)"],
  [ExitCode.TERMINATED, "terminated (SIGTERM, e.g. a cancelled CI job); the same clean-up as Ctrl-C"],
];

export const HELP_TOPICS: Record<string, string> = {
  "exit-codes": exitCodesTopic(),
  waiting: waitingTopic(),
};

function exitCodeLines(): string[] {
  return EXIT_CODES.map(([code, meaning]) => `  ${String(code).padEnd(4)} ${meaning}`);
}

function exitCodesTopic(): string {
  return [
    "Exit codes of valar",
    "",
    "Every command exits with one of these codes, so scripts and CI can branch on the " +
      "outcome. Waiting commands (builds submit -f/-w, builds logs -f, builds watch) and " +
      "builds status exit with the build's outcome: 0 when it is done, 3 otherwise; " +
      "builds status exits 8 while the build is pending or running.",
    "",
    ...exitCodeLines(),
    "",
    "Example:",
    "  $ valar builds submit -f; code=$?",
    '  $ case $code in 0) echo deployed ;; 3) echo "build failed" ;; 124) echo "still running" ;; *) exit $code ;; esac',
    "",
  ].join("\n");
}

/** Prose wraps; a table row wraps under its meaning; a shell line stays whole, to be copied. */
function wrapTopicLine(line: string, width: number): string {
  if (line.startsWith("  $ ")) return wrapShellLine(line, width);
  const row = /^( {2}\d+ +)(.*)$/.exec(line);
  return row ? hanging(row[1]!, row[2]!, width) : wrapWords(line, width);
}

/** Which heading each top-level command is listed under in `valar --help`. */
const GROUPS: Record<string, string> = {
  builds: "Build commands:",
  deploys: "Deployment commands:",
  auth: "Account and settings:",
  config: "Account and settings:",
  sandbox: "Local server:",
};
const OTHER = "Other:";

/**
 * The root's help, modelled on gh's: each command group on one line under a heading saying
 * what it is for, then examples and where to read more. `valar help builds` lists a group's commands.
 */
export function configureRootHelp(program: Command): void {
  for (const sub of program.commands) sub.helpGroup(GROUPS[sub.name()] ?? OTHER);
  program.configureHelp({
    subcommandTerm: (sub: Command) => sub.name(),
  });
  withExamples(program, [
    "valar config set project myproject && valar config set service api",
    "valar builds submit -c node -f",
    "valar builds ls --status failed",
    "valar help builds submit",
  ]);
  withParagraph(program, "Run `valar help <command>` for a command's options, and `valar help exit-codes` for what each exit code means.");
}

/**
 * `valar help [command...]` in place of commander's, which only looks one level down:
 * this one walks the whole path (`valar help builds ls`) and knows topics.
 */
export function defineHelp(rt: Runtime, program: Command): Command {
  const cmd = localCommand(new Command("help"))
    .description("show help for a command, or a topic: exit-codes, waiting")
    .argument("[command...]", "a command, e.g. builds ls; or exit-codes, waiting");
  withExamples(cmd, ["valar help builds ls", "valar help exit-codes", "valar help waiting"]);
  return cmd.action(rt.action(() => Promise.resolve({ run: (ctx, words) => run(ctx, words, program) }), { offline: true }));
}

function run(ctx: Ctx, words: string[], program: Command): number {
  const topic = words.length === 1 ? HELP_TOPICS[words[0]!] : undefined;
  if (topic) {
    ctx.io.write(
      topic
        .split("\n")
        .map((line) => wrapTopicLine(line, ctx.io.columns ?? 80))
        .join("\n"),
    );
    return 0;
  }
  let target = program;
  for (const word of words) {
    const next = target.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!next || next.name().startsWith("__")) {
      throw new UsageError(`no help for '${words.join(" ")}': not a command or a help topic`, {
        hint: `topics: ${Object.keys(HELP_TOPICS).join(", ")}; commands: see \`valar help\``,
      });
    }
    target = next;
  }
  target.outputHelp();
  return 0;
}
