import { Command } from "commander";
import type { Runtime } from "../../runtime.js";
import type { Ctx } from "../../context.js";
import type { BuildsApi } from "../../api/builds.js";
import { InterruptedError } from "../../errors.js";
import { isFinalStatus } from "../../api/types.js";
import { addWaitOptions, withExamples, type WaitOptions } from "../shared/options.js";
import { parseDuration } from "../../util/duration.js";

export interface LogsOptions extends WaitOptions {
  follow?: boolean;
  raw?: boolean;
}

export function defineLogs(rt: Runtime): Command {
  const cmd = new Command("logs")
    .description("print a build's log (the newest build when no prefix is given)")
    .argument("[prefix]", "build ID or the start of one (- reads it from stdin)")
    .option("-f, --follow", "stream the log until the build ends; exit with its outcome")
    .option("--raw", "print only each line's content");
  addWaitOptions(cmd);
  withExamples(cmd, ["valar builds logs a1b2", "valar builds logs -f", 'valar builds logs -f "$id" --timeout 15m']);
  return cmd.action(rt.action(run));
}

export async function run(ctx: Ctx, args: string[], opts: LogsOptions): Promise<number> {
  if (opts.timeout !== undefined) parseDuration(opts.timeout);
  const { readPrefixArgument, resolveBuild } = await import("../../builds/resolve.js");
  const prefix = await readPrefixArgument(ctx, args[0]);
  const api = await ctx.builds();
  const build = await resolveBuild(ctx, api, prefix);
  const { waitForBuild, reportOutcome } = await import("../../builds/wait.js");
  if (opts.follow && !isFinalStatus(build.status)) {
    return waitForBuild(ctx, api, build.id, {
      mode: "follow",
      raw: opts.raw,
      timeout: opts.timeout,
      abortOnInterrupt: opts.abortOnInterrupt,
    });
  }
  await printWholeLog(ctx, api, build.id, opts.raw ?? false);
  // Following a build that has already ended is printing its log and its outcome.
  return opts.follow ? reportOutcome(ctx, build) : 0;
}

async function printWholeLog(ctx: Ctx, api: BuildsApi, id: string, raw: boolean): Promise<void> {
  const [{ streamBuildLog }, { logPrinter }] = await Promise.all([import("../../builds/follow.js"), import("../../builds/print.js")]);
  try {
    await streamBuildLog(api, id, logPrinter(ctx.io, raw, ctx.signal), ctx.signal);
  } catch (err) {
    if (ctx.signal.aborted) throw new InterruptedError();
    throw err;
  }
}
