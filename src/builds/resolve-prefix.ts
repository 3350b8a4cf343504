import { NotFoundError, UsageError } from "../errors.js";
import type { BuildsApi } from "../api/builds.js";
import { BUILD_PREFIX, type Build } from "../api/types.js";
import type { Ctx } from "../app/context.js";
import { formatTable } from "../output/table.js";
import { relativeTime } from "../output/time.js";

/** How many candidates an ambiguity error lists before saying "and N more". */
const MAX_CANDIDATES = 10;

/** Syntax check of a prefix argument: exit 2 before anything is sent. */
export function validatePrefix(prefix: string): string {
  if (!BUILD_PREFIX.test(prefix)) {
    // JSON quoting keeps control characters in a bad argument from reaching the terminal raw.
    throw new UsageError(`invalid build ID prefix ${JSON.stringify(prefix)}`, {
      hint: "a build ID prefix is letters, digits and dashes, e.g. a1b2",
    });
  }
  return prefix;
}

/**
 * The prefix argument as given, validated; `-` means the first line of stdin (so
 * `valar builds submit | valar builds logs -f -` chains).
 */
export async function readPrefixArgument(ctx: Pick<Ctx, "io">, arg: string | undefined): Promise<string | undefined> {
  if (arg !== "-") return arg === undefined ? undefined : validatePrefix(arg);
  const line = await readFirstLine(ctx.io.stdin);
  if (!line) {
    throw new UsageError("no build ID on stdin", {
      hint: "pipe a build ID, e.g. valar builds submit | valar builds logs -f -",
    });
  }
  return validatePrefix(line);
}

async function readFirstLine(stdin: AsyncIterable<unknown>): Promise<string> {
  let text = "";
  // Stop at the first newline: the writer (e.g. `submit -f`) may keep the pipe open.
  for await (const chunk of stdin) {
    text += String(chunk);
    if (text.includes("\n")) break;
  }
  return text.split(/\r?\n/)[0]!.trim();
}

/** What resolving needs of the builds API (a fake in tests). */
export type BuildLister = Pick<BuildsApi, "list" | "project" | "service">;

function startsWith(id: string, prefix: string): boolean {
  return id.toLowerCase().startsWith(prefix.toLowerCase());
}

/**
 * The build a prefix names (the contract's rule): exactly one match, or the one whose ID
 * is exactly the prefix; none or several → exit 5. No prefix means the newest build.
 */
export async function resolveBuild(ctx: Pick<Ctx, "clock">, api: BuildLister, prefix: string | undefined): Promise<Build> {
  if (prefix === undefined) {
    const builds = await api.list();
    if (builds.length === 0) {
      throw new NotFoundError(`no builds in ${api.project}/${api.service} yet`, {
        hint: "submit one with `valar builds submit`",
      });
    }
    return builds[0]!;
  }
  validatePrefix(prefix);
  // The server filters by prefix; filtering again guards against one that ignores it.
  const matches = (await api.list(prefix)).filter((b) => startsWith(b.id, prefix));
  const exact = matches.find((b) => b.id.toLowerCase() === prefix.toLowerCase());
  if (exact) return exact;
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    throw new NotFoundError(`no build matches "${prefix}" in ${api.project}/${api.service}`, {
      hint: "list the builds with `valar builds ls`",
    });
  }
  throw new NotFoundError(ambiguityMessage(prefix, matches, ctx.clock.now()), {
    hint: "give more characters of the ID",
  });
}

function ambiguityMessage(prefix: string, matches: Build[], now: number): string {
  const shown = matches.slice(0, MAX_CANDIDATES);
  const rows = formatTable(
    [
      { header: "ID", value: (b: Build) => b.id },
      { header: "STATUS", value: (b: Build) => b.status },
      { header: "CREATED", value: (b: Build) => relativeTime(b.createdAt, now) },
    ],
    shown,
    { header: false },
  ).map((line) => `  ${line}`);
  if (matches.length > shown.length) rows.push(`  … and ${matches.length - shown.length} more`);
  return `"${prefix}" matches ${matches.length} builds:\n${rows.join("\n")}`;
}
