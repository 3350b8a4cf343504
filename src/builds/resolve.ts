import { NotFoundError, UsageError } from "../errors.js";
import type { BuildsApi } from "../api/builds.js";
import { BUILD_PREFIX, type Build } from "../api/types.js";
import type { Ctx } from "../context.js";
import { relativeTime } from "../output/time.js";

/** Syntax check of a prefix argument: exit 2 before anything is sent. */
export function validatePrefix(prefix: string): string {
  if (!BUILD_PREFIX.test(prefix)) {
    throw new UsageError(`invalid build ID prefix "${prefix}"`, {
      hint: "a build ID prefix is letters, digits and dashes, e.g. a1b2",
    });
  }
  return prefix;
}

/** `-` means: the first line of stdin (so `valar builds submit | valar builds logs -f -` chains). */
export async function readPrefixArgument(ctx: Ctx, arg: string | undefined): Promise<string | undefined> {
  if (arg !== "-") return arg === undefined ? undefined : validatePrefix(arg);
  let text = "";
  for await (const chunk of ctx.io.stdin) {
    text += chunk.toString();
    if (text.includes("\n")) break;
  }
  const line = text.split(/\r?\n/)[0]!.trim();
  if (!line) throw new UsageError("no build ID on stdin", { hint: "pipe a build ID, e.g. valar builds submit | valar builds logs -f -" });
  return validatePrefix(line);
}

/**
 * The build a prefix names: exactly one match, or the one whose ID is exactly the prefix.
 * No prefix means the newest build.
 */
export async function resolveBuild(ctx: Ctx, api: BuildsApi, prefix: string | undefined): Promise<Build> {
  if (prefix === undefined) {
    const builds = await api.list();
    if (builds.length === 0) throw new NotFoundError(`no builds in ${api.project}/${api.service} yet`);
    return builds[0]!;
  }
  const matches = await api.list(prefix);
  const exact = matches.find((b) => b.id === prefix);
  if (exact) return exact;
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new NotFoundError(`no build matches "${prefix}"`);
  const now = ctx.clock.now();
  const shown = matches.slice(0, 10);
  const lines = shown.map((b) => `  ${b.id}  ${b.status}  ${relativeTime(b.createdAt, now)}`);
  if (matches.length > shown.length) lines.push(`  … and ${matches.length - shown.length} more`);
  throw new NotFoundError(`"${prefix}" matches ${matches.length} builds:\n${lines.join("\n")}`, {
    hint: "give more characters of the ID",
  });
}
