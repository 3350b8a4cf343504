import { Command, InvalidArgumentError, Option } from "commander";
import type { Runtime } from "../../runtime.js";
import type { Ctx } from "../../context.js";
import { BUILD_STATUSES, type Build } from "../../api/types.js";
import { readPrefixArgument } from "../../builds/resolve.js";
import { formatTable, type Column } from "../../output/table.js";
import { colorStatus } from "../../output/status.js";
import { relativeTime } from "../../output/time.js";
import { shorten } from "../../output/text.js";
import { addJsonOption, withExamples } from "../shared/options.js";

export interface LsOptions {
  limit: number;
  all?: boolean;
  status?: string[];
  quiet?: boolean;
  json?: boolean;
}

export const DEFAULT_LIMIT = 20;
/** The ERROR column is a reminder, not the message: `inspect` shows it whole. */
export const ERROR_WIDTH = 60;

export function parseLimit(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw new InvalidArgumentError("expected a whole number of at least 1 (or use --all)");
  }
  return Number(value);
}

/**
 * Known statuses, or any other plain word: the API may add statuses, so an unknown word
 * is a warning at run time, while an empty or malformed list is a usage error.
 */
export function parseStatuses(value: string): string[] {
  const words = value.split(",").map((w) => w.trim().toLowerCase());
  if (words.some((w) => !/^[a-z][a-z_-]*$/.test(w))) {
    throw new InvalidArgumentError(`expected status names separated by commas, e.g. failed,expired (known: ${BUILD_STATUSES.join(", ")})`);
  }
  return [...new Set(words)];
}

export function defineLs(rt: Runtime): Command {
  const cmd = new Command("ls")
    .alias("list")
    .description("list builds, newest first")
    .argument("[prefix]", "only builds whose ID starts with PREFIX (- reads it from stdin)")
    .option("-n, --limit <n>", "show at most N builds", parseLimit, DEFAULT_LIMIT)
    .addOption(new Option("--all", "show all builds (no limit)").conflicts("limit"))
    .option("--status <s[,s...]>", `only builds with these statuses (${BUILD_STATUSES.join(", ")})`, parseStatuses)
    .addOption(new Option("-q, --quiet", "print build IDs only, one per line").conflicts("json"));
  addJsonOption(cmd);
  withExamples(cmd, ["valar builds ls", "valar builds ls --status failed,expired -n 5", "valar builds ls -q | head -1"]);
  return cmd.action(rt.action(run));
}

export function filterByStatus(builds: Build[], statuses: string[] | undefined): Build[] {
  if (!statuses) return builds;
  const wanted = new Set(statuses);
  return builds.filter((b) => wanted.has(b.status.toLowerCase()));
}

export function buildColumns(ctx: Pick<Ctx, "io" | "clock">): Column<Build>[] {
  const now = ctx.clock.now();
  return [
    { header: "ID", value: (b) => b.id },
    { header: "STATUS", value: (b) => b.status, style: (text) => colorStatus(text, ctx.io.out) },
    { header: "CREATED", value: (b) => relativeTime(b.createdAt, now) },
    { header: "ERROR", value: (b) => shorten(b.error, ERROR_WIDTH), shrink: true },
  ];
}

export async function run(ctx: Ctx, args: string[], opts: LsOptions): Promise<number> {
  const prefix = await readPrefixArgument(ctx, args[0]);
  for (const s of opts.status ?? []) {
    if (!(BUILD_STATUSES as readonly string[]).includes(s)) {
      ctx.io.warn(`"${s}" is not a status valar knows (${BUILD_STATUSES.join(", ")}); filtering on it anyway`);
    }
  }
  const api = await ctx.builds();
  // The API answers newest first; the filter and the limit keep that order.
  const matching = filterByStatus(await api.list(prefix), opts.status);
  const shown = opts.all ? matching : matching.slice(0, opts.limit);

  if (opts.json) {
    ctx.io.printJson(shown);
    return 0;
  }
  if (shown.length === 0) {
    ctx.io.note(emptyNote(`${api.project}/${api.service}`, prefix, opts.status));
    return 0;
  }
  if (opts.quiet) {
    for (const b of shown) ctx.io.println(b.id);
    return 0;
  }
  for (const line of formatTable(buildColumns(ctx), shown, { maxWidth: ctx.io.columns })) ctx.io.println(line);
  if (matching.length > shown.length) {
    ctx.io.note(ctx.io.err.dim(`showing ${shown.length} of ${matching.length} builds; use -n N or --all for more`));
  }
  return 0;
}

function emptyNote(target: string, prefix: string | undefined, statuses: string[] | undefined): string {
  const what = [prefix && `starting with "${prefix}"`, statuses && `with status ${statuses.join(" or ")}`]
    .filter(Boolean)
    .join(" ");
  return what ? `No builds ${what} in ${target}.` : `No builds in ${target} yet. Submit one with \`valar builds submit\`.`;
}
