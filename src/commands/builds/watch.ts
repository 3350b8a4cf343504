import { Command } from "commander";
import type { Runtime } from "../../runtime.js";
import type { Ctx } from "../../context.js";
import { addWaitOptions, withExamples, type WaitOptions } from "../shared/options.js";
import { parseDuration } from "../../util/duration.js";

export type WatchOptions = WaitOptions;

export function defineWatch(rt: Runtime): Command {
  const cmd = new Command("watch")
    .description("wait for a build to end, showing its status and latest log lines")
    .argument("[prefix]", "build ID or the start of one (- reads it from stdin); default: the newest build");
  addWaitOptions(cmd);
  withExamples(cmd, ["valar builds watch", "valar builds watch a1b2 --timeout 30m"]);
  return cmd.action(rt.action(run));
}

export async function run(ctx: Ctx, args: string[], opts: WatchOptions): Promise<number> {
  if (opts.timeout !== undefined) parseDuration(opts.timeout);
  const { readPrefixArgument, resolveBuild } = await import("../../builds/resolve.js");
  const prefix = await readPrefixArgument(ctx, args[0]);
  const api = await ctx.builds();
  const build = await resolveBuild(ctx, api, prefix);
  const { waitForBuild } = await import("../../builds/wait.js");
  return waitForBuild(ctx, api, build.id, { mode: "watch", timeout: opts.timeout, abortOnInterrupt: opts.abortOnInterrupt });
}
