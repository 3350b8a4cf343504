import type { Ctx } from "../../app/context.js";
import { BUILD_STATUSES, type Build } from "../../api/types.js";
import { readPrefixArgument } from "../../builds/resolve-prefix.js";
import { ERROR_WIDTH, createdColumn, formatTable, type Column } from "../../output/table.js";
import { colorStatus } from "../../output/status.js";
import { shorten } from "../../output/text.js";
import type { LsOptions } from "./ls.js";

export function filterByStatus(builds: Build[], statuses: string[] | undefined): Build[] {
  if (!statuses) return builds;
  const wanted = new Set(statuses);
  return builds.filter((b) => wanted.has(b.status.toLowerCase()));
}

export function buildColumns(ctx: Pick<Ctx, "io" | "clock">): Column<Build>[] {
  const now = ctx.clock.now();
  return [
    // The first 8 characters of an ID are still a prefix every command takes.
    { header: "ID", value: (b) => b.id, compact: (b) => b.id.slice(0, 8) },
    { header: "STATUS", value: (b) => b.status, style: (text) => colorStatus(text, ctx.io.out) },
    createdColumn(ctx.io, now, (b) => b.createdAt),
    { header: "ERROR", value: (b) => shorten(b.error, ERROR_WIDTH), shrink: true, drop: 0 },
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
  const what = [prefix && `starting with "${prefix}"`, statuses && `with status ${statuses.join(" or ")}`].filter(Boolean).join(" ");
  return what ? `No builds ${what} in ${target}.` : `No builds in ${target} yet. Submit one with \`valar builds submit\`.`;
}
