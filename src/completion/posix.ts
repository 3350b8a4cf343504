import { PASS_THROUGH_FLAGS, type CompletionTables, type Item } from "./tables.js";

/** Pieces bash and zsh share: both read the same `case` syntax. */

export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

interface CaseArm {
  /** Shell patterns, already quoted where literal. */
  patterns: string[];
  body: string;
}

function shCaseFunction(name: string, subject: string, arms: CaseArm[], fallback = "return 1"): string {
  const lines = [`${name}() {`, `    case ${subject} in`];
  for (const arm of arms) lines.push(`        ${arm.patterns.join("|")}) ${arm.body} ;;`);
  lines.push(`        *) ${fallback} ;;`, "    esac", "}");
  return lines.join("\n");
}

const q = (s: string) => `"${s}"`;

/**
 * The four lookup functions of the tables; `items` renders a list of subcommands or flags
 * (bash wants bare names, zsh `name:description` lines for _describe).
 */
export function shLookupFunctions(prefix: string, t: CompletionTables, items: (list: Item[]) => string): string {
  const echo = (s: string) => `printf '%s\\n' ${shQuote(s)}`;
  return [
    "# The subcommand path a word leads to from a path (aliases lead to the canonical name).",
    shCaseFunction(
      `${prefix}_subcommand`,
      `"$1/$2"`,
      t.subcommand.map((s) => ({ patterns: s.words.map((w) => q(`${s.parent}/${w}`)), body: echo(s.path) })),
    ),
    "",
    "# The subcommands offered at a path.",
    shCaseFunction(
      `${prefix}_subcommands`,
      `"$1"`,
      t.subcommands.map((s) => ({ patterns: [q(s.path)], body: items(s.items) })),
      "return 0",
    ),
    "",
    "# The flags offered at a path.",
    shCaseFunction(
      `${prefix}_flags`,
      `"$1"`,
      t.flags.map((s) => ({ patterns: [q(s.path)], body: items(s.items) })),
      "return 0",
    ),
    "",
    "# Where a flag's value comes from; fails for a flag that takes no value.",
    shCaseFunction(
      `${prefix}_option_value`,
      `"$1|$2"`,
      t.optionValues.map((o) => ({
        patterns: o.flags.map((f) => (o.path === "*" ? `*${q(`|${f}`)}` : q(`${o.path}|${f}`))),
        body: echo(o.source),
      })),
    ),
    "",
    "# Where the n-th positional argument of a path comes from.",
    shCaseFunction(
      `${prefix}_arg_value`,
      `"$1|$2"`,
      t.argValues.map((a) => ({ patterns: [q(`${a.path}|${a.index}`)], body: echo(a.source) })),
    ),
  ].join("\n");
}

/** A `case` pattern matching the flags whose values go on to `valar __complete`. */
export const PASS_THROUGH_PATTERN = PASS_THROUGH_FLAGS.join("|");
