import type { Ctx } from "../../app/context.js";
import { UsageError } from "../../errors.js";
import { openDeploys } from "../../deploys/open.js";
import { parseVersion, pickRollbackTarget } from "../../deploys/versions.js";
import { reportNewDeploy } from "../../deploys/print-deploy.js";
import { checkWaitFlags } from "../../deploys/wait-deploy.js";
import type { DeploysRollbackOptions } from "./rollback.js";

export async function run(ctx: Ctx, args: string[], opts: DeploysRollbackOptions): Promise<number> {
  if (args[0] !== undefined && opts.delta !== undefined) {
    throw new UsageError("give a version or --delta, not both", { hint: "e.g. valar deploys rollback 12, or valar deploys rollback --delta 2" });
  }
  const version = args[0] === undefined ? undefined : parseVersion(args[0]);
  checkWaitFlags(opts);
  const api = await openDeploys(ctx);
  // Picked from the list, so an unknown version or too short a history is said plainly
  // (exit 5 / exit 1) before anything is sent.
  const target = pickRollbackTarget(await api.list(), { version, delta: opts.delta ?? 1 }, `${api.project}/${api.service}`);
  const deploy = await api.rollback(target.version);
  return reportNewDeploy(ctx, api, deploy, opts, `rolled back to v${target.version} (build ${target.build}) as v${deploy.version}`);
}
