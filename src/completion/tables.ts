import { allCommands, flagNames, type CommandSpec, type ValueSource } from "./spec.js";

/**
 * The command tree flattened into the five lookups every completion script is made of.
 * Each shell renders the same tables in its own syntax, and runs the same walk over the
 * words typed so far: that keeps bash, zsh and fish completing exactly the same things.
 *
 * A command path is its canonical names joined by spaces ("builds ls"; "" for the root).
 * A value source is encoded as one word the scripts switch on: `words:a b c`, `csv:a b c`
 * (a comma-separated list, completed after the last comma), `build-ids` or `deploy-versions`
 * (asked of `valar __complete`), `dirs` or `any`.
 */
export interface Item {
  name: string;
  description: string;
}

export interface CompletionTables {
  /** "parent path" + typed word (a name or an alias) → the subcommand's path. */
  subcommand: Array<{ parent: string; words: string[]; path: string }>;
  /** Subcommands offered at a path. */
  subcommands: Array<{ path: string; items: Item[] }>;
  /** Flags offered at a path (its own and the global ones). */
  flags: Array<{ path: string; items: Item[] }>;
  /** Flags that take a value, and where its candidates come from; path "*" = global. */
  optionValues: Array<{ path: string; flags: string[]; source: string }>;
  /** The value source of the index-th positional argument of a path. */
  argValues: Array<{ path: string; index: number; source: string }>;
}

/** Flags whose values the scripts hand on to `valar __complete`, so it asks the right project. */
export const PASS_THROUGH_FLAGS = ["-p", "--project", "-s", "--service", "--endpoint"];

function encodeSource(v: ValueSource): string {
  if (v.kind === "words") return `${v.commaList ? "csv" : "words"}:${v.words.join(" ")}`;
  return v.kind;
}

export function completionTables(root: CommandSpec): CompletionTables {
  const commands = allCommands(root);
  const key = (c: CommandSpec) => c.path.join(" ");
  const tables: CompletionTables = { subcommand: [], subcommands: [], flags: [], optionValues: [], argValues: [] };
  for (const cmd of commands) {
    for (const sub of cmd.subcommands) {
      tables.subcommand.push({ parent: key(cmd), words: [sub.name, ...sub.aliases], path: key(sub) });
    }
    if (cmd.subcommands.length) {
      tables.subcommands.push({
        path: key(cmd),
        items: cmd.subcommands.map((s) => ({ name: s.name, description: s.description })),
      });
    }
    tables.flags.push({
      path: key(cmd),
      items: cmd.options.flatMap((o) => flagNames(o).map((name) => ({ name, description: o.description }))),
    });
    for (const o of cmd.options) {
      if (o.value && !o.global) tables.optionValues.push({ path: key(cmd), flags: flagNames(o), source: encodeSource(o.value) });
    }
    cmd.args.forEach((a, index) => tables.argValues.push({ path: key(cmd), index, source: encodeSource(a.value) }));
  }
  for (const o of root.options) {
    if (o.value && o.global) tables.optionValues.push({ path: "*", flags: flagNames(o), source: encodeSource(o.value) });
  }
  return tables;
}
