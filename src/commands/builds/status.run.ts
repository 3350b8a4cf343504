import type { Ctx } from "../../app/context.js";
import { ExitCode } from "../../errors.js";
import { readPrefixArgument, resolveBuild } from "../../builds/resolve-prefix.js";
import { colorStatus } from "../../output/status.js";
import type { StatusOptions } from "./status.js";

export async function run(ctx: Ctx, args: string[], opts: StatusOptions): Promise<number> {
  const prefix = await readPrefixArgument(ctx, args[0]);
  const build = await resolveBuild(ctx, await ctx.builds(), prefix);
  // --json prints the build as the list endpoint sent it: the API's own object and names.
  if (opts.json) ctx.io.printJson(build);
  else ctx.io.println(colorStatus(build.status, ctx.io.out));
  // A build that has not ended has a code of its own, so `until valar builds status …` can
  // tell "still going" from "failed".
  if (build.status === "done") return ExitCode.OK;
  return build.status === "pending" || build.status === "running" ? ExitCode.NOT_ENDED : ExitCode.BUILD_UNSUCCESSFUL;
}
