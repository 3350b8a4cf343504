import { Help, type Argument, type Command, type Option } from "commander";
import { BUILD_STATUSES } from "../api/types.js";
import { constructorNames } from "../builds/constructor.js";
import { CONFIG_KEYS } from "../settings/settings-types.js";

/**
 * What a completion script needs to know about the command tree, read from commander's
 * own objects so that the scripts cannot drift from the commands they complete.
 */

/** Where the candidates for a value come from. */
export type ValueSource =
  | { kind: "words"; words: string[]; commaList?: boolean }
  | { kind: "build-ids" }
  | { kind: "deploy-versions" }
  | { kind: "dirs" }
  /** Free text: nothing to offer, but the next word is this value, not a command. */
  | { kind: "any" };

export interface OptionSpec {
  short?: string;
  long?: string;
  description: string;
  /** Absent for a flag that takes no value. */
  value?: ValueSource;
  /** Declared on the root: accepted by every command. */
  global: boolean;
}

interface ArgSpec {
  name: string;
  variadic: boolean;
  value: ValueSource;
}

export interface CommandSpec {
  /** Canonical names from the root, e.g. ["builds", "ls"]; [] for the root. */
  path: string[];
  name: string;
  aliases: string[];
  description: string;
  subcommands: CommandSpec[];
  /** This command's own options plus the root's global ones. */
  options: OptionSpec[];
  args: ArgSpec[];
}

/** Values the scripts complete, by option long name: commander knows arity, not meaning. */
function optionValues(long: string | undefined): ValueSource {
  switch (long) {
    case "--constructor":
      return { kind: "words", words: constructorNames() };
    case "--status":
      return { kind: "words", words: [...BUILD_STATUSES], commaList: true };
    case "--data-dir":
      return { kind: "dirs" };
    default:
      return { kind: "any" };
  }
}

/** Values of positional arguments: their declared choices, else by name (and, for `help`, the tree itself). */
function argumentValues(arg: Argument, cmd: Command, parent: Command | undefined, root: Command, helpTopics: string[]): ValueSource {
  if (arg.argChoices) return { kind: "words", words: [...arg.argChoices] };
  switch (arg.name()) {
    case "prefix":
      return { kind: "build-ids" };
    case "version":
      return { kind: "deploy-versions" };
    case "key":
      return { kind: "words", words: [...CONFIG_KEYS] };
    case "dir":
      return { kind: "dirs" };
    default:
      if (cmd.name() === "help" && parent) {
        // A group's own `help [command]` names its siblings; the root's adds topics.
        const names = visibleSubcommands(parent)
          .map((c) => c.name())
          .filter((n) => n !== "help");
        return { kind: "words", words: parent === root ? [...names, ...helpTopics] : names };
      }
      return { kind: "any" };
  }
}

const help = new Help();

function visibleSubcommands(cmd: Command): Command[] {
  return help.visibleCommands(cmd);
}

function optionSpec(o: Option, global: boolean): OptionSpec {
  return {
    global,
    short: o.short,
    long: o.long,
    description: o.description,
    value: o.required || o.optional ? optionValues(o.long) : undefined,
  };
}

/**
 * The completion view of the whole tree; hidden commands (e.g. `__complete`) are left out.
 * helpTopics: what `help` takes besides commands (the command world owns them).
 */
export function commandSpec(root: Command, helpTopics: string[]): CommandSpec {
  const globals = help
    .visibleOptions(root)
    .filter((o) => o.long !== "--version" && o.long !== "--help")
    .map((o) => optionSpec(o, true));
  const walk = (cmd: Command, path: string[], parent?: Command): CommandSpec => {
    const own = help
      .visibleOptions(cmd)
      .filter((o) => cmd === root || o.long !== "--version")
      .map((o) => optionSpec(o, cmd === root && o.long !== "--version" && o.long !== "--help"));
    // A command's own option wins over a global one of the same name (auth login --endpoint).
    const ownFlags = new Set(own.flatMap(flagNames));
    return {
      path,
      name: cmd.name(),
      aliases: cmd.aliases(),
      description: cmd.description(),
      subcommands: visibleSubcommands(cmd).map((sub) => walk(sub, [...path, sub.name()], cmd)),
      options: cmd === root ? own : [...own, ...globals.filter((g) => !flagNames(g).some((f) => ownFlags.has(f)))],
      args: cmd.registeredArguments.map((a) => ({
        name: a.name(),
        variadic: a.variadic,
        value: argumentValues(a, cmd, parent, root, helpTopics),
      })),
    };
  };
  return walk(root, []);
}

/** Every command of the tree, root first, depth first. */
export function allCommands(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.subcommands.flatMap(allCommands)];
}

/** The flag spellings of an option: -s, --long. */
export function flagNames(o: OptionSpec): string[] {
  return [o.short, o.long].filter((f): f is string => Boolean(f));
}
