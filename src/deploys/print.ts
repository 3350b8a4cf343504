import type { Ctx } from "../context.js";
import type { Deploy } from "../api/types.js";
import { ERROR_WIDTH, createdColumn, type Column } from "../output/table.js";
import { colorStatus } from "../output/status.js";
import { shorten } from "../output/text.js";

/** The columns of `deploys ls`: VERSION, STATUS, BUILD, CREATED, ERROR (the contract's order). */
export function deployColumns(ctx: Pick<Ctx, "io" | "clock">): Column<Deploy>[] {
  const now = ctx.clock.now();
  return [
    { header: "VERSION", value: (d) => String(d.version) },
    { header: "STATUS", value: (d) => d.status, style: (text) => colorStatus(text, ctx.io.out) },
    // The version identifies the row; the build's first 8 characters still name it as a prefix.
    { header: "BUILD", value: (d) => d.build, compact: (d) => d.build.slice(0, 8), drop: 2 },
    createdColumn(ctx.io, now, (d) => d.createdAt),
    // The BUILD column names the build: the error need not repeat its full ID.
    { header: "ERROR", value: (d) => shorten(d.build ? d.error.split(d.build).join(d.build.slice(0, 8)) : d.error, ERROR_WIDTH), shrink: true, drop: 0 },
  ];
}

/** What create and rollback print: the new version alone on stdout (or the object), a note on stderr. */
export function reportNewDeploy(ctx: Pick<Ctx, "io">, deploy: Deploy, json: boolean | undefined, message: string): void {
  if (json) ctx.io.printJson(deploy);
  else ctx.io.println(String(deploy.version));
  ctx.io.success(message);
}
