import type { Ctx } from "../../app/context.js";
import { statusPhrase } from "../../output/status.js";
import { OperationError } from "../../errors.js";
import { readPrefixArgument, resolveBuild } from "../../builds/resolve-prefix.js";
import type { AbortOptions } from "./abort.js";

export async function run(ctx: Ctx, args: string[], opts: AbortOptions): Promise<number> {
  const prefix = await readPrefixArgument(ctx, args[0]);
  const api = await ctx.builds();
  const build = await resolveBuild(ctx, api, prefix);
  if (build.status !== "pending" && build.status !== "running") {
    throw new OperationError(`build ${build.id} ${statusPhrase(build.status)}; only pending or running builds can be aborted`);
  }
  await api.abort(build.id);
  // The API answers {}: --json reports what happened in the API's own field names instead.
  if (opts.json) ctx.io.printJson({ id: build.id, status: "aborted" });
  ctx.io.success(`aborted build ${build.id} (it was ${build.status})`);
  return 0;
}
