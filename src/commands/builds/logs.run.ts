import type { Ctx } from "../../context.js";
import type { BuildsApi } from "../../api/builds.js";
import { ApiUnreachableError, InterruptedError, ValarError } from "../../errors.js";
import { isFinalStatus } from "../../api/types.js";
import { parseDuration } from "../../util/duration.js";
import { readPrefixArgument, resolveBuild } from "../../builds/resolve.js";
import { reportOutcome, waitForBuild } from "../../builds/wait.js";
import { streamBuildLog } from "../../builds/follow.js";
import { logPrinter } from "../../builds/print.js";
import type { LogsOptions } from "./logs.js";

export async function run(ctx: Ctx, args: string[], opts: LogsOptions): Promise<number> {
  if (opts.timeout !== undefined) parseDuration(opts.timeout);
  const prefix = await readPrefixArgument(ctx, args[0]);
  const api = await ctx.builds();
  const build = await resolveBuild(ctx, api, prefix);
  if (opts.follow && !isFinalStatus(build.status)) {
    return waitForBuild(ctx, api, build.id, {
      mode: "follow",
      raw: opts.raw,
      timeout: opts.timeout,
      abortOnInterrupt: opts.abortOnInterrupt,
    });
  }
  await printWholeLog(ctx, api, build.id, opts.raw ?? false);
  // Said after the log, where the reader's eye is: what they saw is only the log so far.
  if (!opts.follow && !isFinalStatus(build.status)) ctx.io.note(ctx.io.err.dim("build is still running; -f follows it"));
  // Following a build that has already ended is printing its log and its outcome.
  return opts.follow ? reportOutcome(ctx, api, build) : 0;
}

async function printWholeLog(ctx: Ctx, api: BuildsApi, id: string, raw: boolean): Promise<void> {
  try {
    await streamBuildLog(api, id, logPrinter(ctx.io, raw, ctx.signal), ctx.signal);
  } catch (err) {
    if (ctx.signal.aborted) throw ctx.signal.reason instanceof InterruptedError ? ctx.signal.reason : new InterruptedError();
    if (err instanceof ValarError) throw err;
    // The connection broke mid-body: the API failed us (exit 6), nothing of ours went wrong.
    throw new ApiUnreachableError(`the log of build ${id} broke off: ${(err as Error).message || "connection lost"}`, {
      hint: `print it again with \`valar builds logs ${id}\``,
      cause: err,
    });
  }
}
