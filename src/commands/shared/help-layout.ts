import { Command, Help, type HelpContext, type Option } from "commander";

/**
 * Help that reads well at any width: words are never broken (commander stops wrapping
 * below 40 columns and leaves the terminal to cut words), a narrow terminal gets each
 * description under its option, and the prose after the options wraps as well.
 */

/** Below this many columns for descriptions, they go under their term instead of beside it. */
const NARROW_DESCRIPTION = 30;
const STACKED_INDENT = "      ";

/**
 * `line` broken at spaces into lines of at most `width` columns (a longer word stays whole);
 * lines after the first start with `indent`. `tokens` says what a word is (for a shell line,
 * a quoted string is one).
 */
export function wrapWords(line: string, width: number | undefined, indent = "", tokens = /\S+/g): string {
  if (!width || [...line].length <= width) return line;
  const lead = /^\s*/.exec(line)![0];
  const words = line.slice(lead.length).match(tokens) ?? [];
  const lines: string[] = [];
  let current = lead;
  for (const word of words) {
    const fresh = current === lead || current === indent;
    if (!fresh && [...current].length + 1 + [...word].length > width) {
      lines.push(current);
      current = indent;
    }
    current += current === lead || current === indent ? word : ` ${word}`;
  }
  lines.push(current);
  return lines.join("\n");
}

/** `prefix` then `text` wrapped beside it, continuation lines aligned under the text. */
export function hanging(prefix: string, text: string, width: number | undefined): string {
  if (!width) return prefix + text;
  const pad = " ".repeat(prefix.length);
  return prefix + wrapWords(text, Math.max(width - prefix.length, 10)).replace(/\n/g, `\n${pad}`);
}

// A comment is one word: a `\` continuation inside it would not continue the line.
const SHELL_WORDS = /(?<=^|\s)#.*$|(?:"[^"]*"|'[^']*'|[^\s"'])+/g;

/** A shell line wrapped with `\` continuations, so a wrapped example still runs when pasted. */
export function wrapShellLine(line: string, width: number | undefined): string {
  if (!width) return line;
  return wrapWords(line, width - 2, "      ", SHELL_WORDS).replace(/\n/g, " \\\n");
}

function helpWidth(cmd: Command, error: boolean): number | undefined {
  const out = cmd.configureOutput();
  return error ? out.getErrHelpWidth?.() : out.getOutHelpWidth?.();
}

/** Usage examples appended to a command's --help, written as real shell lines. */
export function withExamples(cmd: Command, examples: string[]): Command {
  return cmd.addHelpText("after", ({ error }) => {
    const width = helpWidth(cmd, error);
    return "\nExamples:\n" + examples.map((e) => wrapShellLine(`  $ ${e}`, width)).join("\n");
  });
}

/** A paragraph of prose after a command's help, wrapped to the terminal. */
export function withParagraph(cmd: Command, text: string): Command {
  return cmd.addHelpText("after", ({ error }) => {
    // Commander lays out the rest at 80 columns off a terminal; the prose follows.
    const width = helpWidth(cmd, error) ?? 80;
    return (
      "\n" +
      text
        .split("\n")
        .map((line) => wrapWords(line, width))
        .join("\n")
    );
  });
}

/** Where -p, -s, --endpoint and --debug mean nothing (the command talks to no API). */
const LOCAL_COMMANDS = new WeakSet<Command>();

export function localCommand<C extends Command>(cmd: C): C {
  LOCAL_COMMANDS.add(cmd);
  return cmd;
}

function isLocal(cmd: Command): boolean {
  for (let c: Command | null = cmd; c; c = c.parent) if (LOCAL_COMMANDS.has(c)) return true;
  return false;
}

/** The help settings of every command below the root. */
export function commandHelp(cmd: Command): Partial<Help> {
  for (const option of cmd.options) unquoteDefault(option);
  return {
    ...cmd.configureHelp(),
    minWidthToWrap: 10,
    showGlobalOptions: cmd.parent !== null && !isLocal(cmd),
    visibleGlobalOptions(this: Help, c: Command): Option[] {
      // A command's own option of the same name (auth login --endpoint) is the one that counts.
      const own = new Set(c.options.map((o) => o.long ?? o.short));
      return Help.prototype.visibleGlobalOptions.call(this, c).filter((o) => !own.has(o.long ?? o.short));
    },
    styleUsage(this: Help, usage: string): string {
      // "Usage: " comes before it on the first line.
      return hanging("", usage, this.helpWidth && this.helpWidth - 7).replace(/\n/g, "\n       ");
    },
    formatItem(this: Help, term: string, termWidth: number, description: string, helper: Help): string {
      const width = this.helpWidth ?? 80;
      if (!description || width - termWidth - 4 >= NARROW_DESCRIPTION) {
        return Help.prototype.formatItem.call(this, term, termWidth, description, helper);
      }
      const body = helper.boxWrap(description, width - STACKED_INDENT.length).replace(/^/gm, STACKED_INDENT);
      return `  ${term}\n${body}`;
    },
  };
}

/** `(default: 8080)`, not commander's `(default: "8080")`: the value as the user types it. */
function unquoteDefault(option: Option): void {
  if (typeof option.defaultValue === "string" && option.defaultValueDescription === undefined) {
    option.defaultValueDescription = option.defaultValue;
  }
}

/**
 * A command with subcommands whose help, shown because none was given (`valar builds`),
 * is help asked for: stdout and exit 0, never commander's stderr and exit 1.
 */
export class CommandGroup extends Command {
  override help(context?: HelpContext): never;
  override help(cb: (str: string) => string): never;
  override help(context?: HelpContext | ((str: string) => string)): never {
    if (typeof context === "function") return super.help(context);
    return super.help({ ...context, error: false });
  }
}
