import type { Ctx } from "../../app/context.js";
import { openDeploys } from "../../deploys/open.js";
import { newestFirst } from "../../deploys/versions.js";
import { deployColumns } from "../../deploys/print-deploy.js";
import { formatTable } from "../../output/table.js";
import type { DeploysLsOptions } from "./ls.js";

export async function run(ctx: Ctx, _args: string[], opts: DeploysLsOptions): Promise<number> {
  const api = await openDeploys(ctx);
  const all = newestFirst(await api.list());
  const shown = opts.all ? all : all.slice(0, opts.limit);
  if (opts.json) {
    ctx.io.printJson(shown);
    return 0;
  }
  if (shown.length === 0) {
    ctx.io.note(`No deployments in ${api.project}/${api.service} yet. A successful build deploys itself; or run \`valar deploys create BUILD\`.`);
    return 0;
  }
  if (opts.quiet) {
    for (const d of shown) ctx.io.println(String(d.version));
    return 0;
  }
  for (const line of formatTable(deployColumns(ctx), shown, { maxWidth: ctx.io.columns })) ctx.io.println(line);
  if (all.length > shown.length) {
    ctx.io.note(ctx.io.err.dim(`showing ${shown.length} of ${all.length} deployments; use -n N or --all for more`));
  }
  return 0;
}
