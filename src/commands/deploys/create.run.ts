import type { Ctx } from "../../app/context.js";
import { statusPhrase } from "../../output/status.js";
import { OperationError } from "../../errors.js";
import { readPrefixArgument, resolveBuild } from "../../builds/resolve-prefix.js";
import { mergeEnvironment, parseEnvPairs } from "../../settings/env-pairs.js";
import { DeploysApi } from "../../api/deploys.js";
import { reportNewDeploy } from "../../deploys/print-deploy.js";
import { checkWaitFlags } from "../../deploys/wait-deploy.js";
import type { DeploysCreateOptions } from "./create.js";

export async function run(ctx: Ctx, args: string[], opts: DeploysCreateOptions): Promise<number> {
  // Usage errors first: nothing is asked of the API for a malformed command line.
  const flags = parseEnvPairs(opts.env ?? [], "--env");
  checkWaitFlags(opts);
  const prefix = await readPrefixArgument(ctx, args[0]);
  const builds = await ctx.builds();
  const build = await resolveBuild(ctx, builds, prefix);
  if (build.status !== "done") {
    throw new OperationError(`build ${build.id} ${statusPhrase(build.status)}; only a done build can be deployed`, {
      hint: build.status === "pending" || build.status === "running" ? `wait for it with \`valar builds watch ${build.id}\`` : undefined,
    });
  }
  // As for `builds submit --env`: the flags over .valar.yml's deployment environment, per key.
  const environment = mergeEnvironment((await ctx.settings()).valarYml?.deployment.environment ?? [], flags);
  const api = new DeploysApi(builds.client, builds.project, builds.service);
  const deploy = await api.create({ build: build.id, ...(environment.length ? { environment } : {}) });
  return reportNewDeploy(ctx, api, deploy, opts, `created deployment v${deploy.version} of build ${build.id}`);
}
