import { Command } from "commander";
import type { Runtime } from "../../runtime.js";
import type { Ctx } from "../../context.js";
import { OperationError } from "../../errors.js";
import { addJsonOption, withExamples } from "../shared/options.js";

export interface AbortOptions {
  json?: boolean;
}

export function defineAbort(rt: Runtime): Command {
  const cmd = new Command("abort")
    .description("abort a pending or running build")
    .argument("<prefix>", "build ID or the start of one (- reads it from stdin)");
  addJsonOption(cmd);
  withExamples(cmd, ["valar builds abort a1b2", "valar builds ls -q --status running | xargs -n1 valar builds abort"]);
  return cmd.action(rt.action(run));
}

export async function run(ctx: Ctx, args: string[], opts: AbortOptions): Promise<number> {
  const { readPrefixArgument, resolveBuild } = await import("../../builds/resolve.js");
  const prefix = await readPrefixArgument(ctx, args[0]);
  const api = await ctx.builds();
  const build = await resolveBuild(ctx, api, prefix);
  if (build.status !== "pending" && build.status !== "running") {
    throw new OperationError(`build ${build.id} is ${build.status}; only pending or running builds can be aborted`);
  }
  await api.abort(build.id);
  // The API answers {}: --json reports what happened in the API's own field names instead.
  if (opts.json) ctx.io.printJson({ id: build.id, status: "aborted" });
  ctx.io.success(`aborted build ${build.id} (it was ${build.status})`);
  return 0;
}
