import type { Ctx } from "../../app/context.js";
import { readPrefixArgument, resolveBuild } from "../../builds/resolve-prefix.js";
import { waitForBuild } from "../../builds/wait-build.js";
import { WaitEvents } from "../../builds/events.js";
import type { WatchOptions } from "./watch.js";

export async function run(ctx: Ctx, args: string[], opts: WatchOptions): Promise<number> {
  const prefix = await readPrefixArgument(ctx, args[0]);
  const api = await ctx.builds();
  const build = await resolveBuild(ctx, api, prefix);
  return waitForBuild(ctx, api, build.id, {
    mode: opts.json ? "spinner" : "watch",
    timeout: opts.timeout,
    abortOnInterrupt: opts.abortOnInterrupt,
    failedLines: opts.failedLines,
    seenStatus: build.status,
    noWaitDeploy: opts.waitDeploy === false,
    events: new WaitEvents(ctx.io, opts.json === true, () => ctx.clock.now()),
  });
}
