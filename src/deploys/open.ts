import type { Ctx } from "../app/context.js";
import { DeploysApi } from "../api/deploys.js";

/** The deployments API of the resolved project/service, on the shared client (exit 2/4 as for builds). */
export async function openDeploys(ctx: Pick<Ctx, "builds">): Promise<DeploysApi> {
  const builds = await ctx.builds();
  return new DeploysApi(builds.client, builds.project, builds.service);
}
