import type { Ctx } from "../../app/context.js";
import type { BuildsApi } from "../../api/builds.js";
import { ApiUnreachableError, InterruptedError, UsageError, ValarError } from "../../errors.js";
import { isFinalStatus } from "../../api/types.js";
import { parseDuration } from "../../util/duration.js";
import { readPrefixArgument, resolveBuild } from "../../builds/resolve-prefix.js";
import { waitForBuild } from "../../builds/wait-build.js";
import { streamBuildLog } from "../../builds/follow.js";
import { logPrinter, type LogView } from "../../builds/print-build.js";
import type { LogSelection } from "../../builds/log-select.js";
import { ciKind } from "../../output/ci.js";
import type { LogsOptions } from "./logs.js";
import type { Build } from "../../api/types.js";
import { readLogTail } from "../../builds/log-tail.js";
import { FAILED_LINES, failureExcerpt } from "../../builds/failure.js";
import { statusPhrase } from "../../output/status.js";

export async function run(ctx: Ctx, args: string[], opts: LogsOptions): Promise<number> {
  const selection: LogSelection = { tail: opts.tail, source: opts.source, sinceMs: parseSince(opts.since, ctx.clock.now()) };
  const view: LogView = { raw: opts.raw, json: opts.json, selection, ci: ciKind(ctx.env) };
  const prefix = await readPrefixArgument(ctx, args[0]);
  const api = await ctx.builds();
  const build = await resolveBuild(ctx, api, prefix);
  if (opts.failed) return printFailure(ctx, api, build, opts.failedLines ?? FAILED_LINES);
  if (opts.follow && !isFinalStatus(build.status)) {
    // --tail with -f: the last N entries so far, then everything after them as it comes.
    const shown = opts.tail === undefined ? 0 : await printLog(ctx, api, build.id, view, true);
    return waitForBuild(ctx, api, build.id, {
      mode: "follow",
      view: { ...view, selection: { ...selection, tail: undefined } },
      skipLines: shown,
      timeout: opts.timeout,
      abortOnInterrupt: opts.abortOnInterrupt,
      failedLines: opts.failedLines,
      deployment: null,
      seenStatus: build.status,
    });
  }
  await printLog(ctx, api, build.id, view, false);
  // Said after the log, where the reader's eye is: what they saw is only the log so far.
  if (!opts.follow && !isFinalStatus(build.status)) ctx.io.note(ctx.io.err.dim("build is still running; -f follows it"));
  // Following a build that has already ended is printing its log and its outcome.
  if (!opts.follow) return 0;
  return waitForBuild(ctx, api, build.id, { mode: "spinner", logShown: true, deployment: null, failedLines: opts.failedLines });
}

/** --failed: the excerpt a waiting command prints at a failure, alone, on stdout. */
async function printFailure(ctx: Ctx, api: BuildsApi, build: Build, count: number): Promise<number> {
  if (build.status === "done" || !isFinalStatus(build.status)) {
    ctx.io.note(`build ${build.id} ${statusPhrase(build.status)}: it has not failed`);
    return 0;
  }
  const tail = await readLogTail(api, build.id, count, ctx.signal);
  for (const line of failureExcerpt(build, tail.lines)) ctx.io.println(line);
  return 0;
}

/** The log as it is now; returns how many lines were read (complete ones only when `complete`). */
async function printLog(ctx: Ctx, api: BuildsApi, id: string, view: LogView, complete: boolean): Promise<number> {
  const printer = logPrinter(ctx.io, view, ctx.signal);
  try {
    const lines = await streamBuildLog(api, id, printer, ctx.signal, { complete });
    await printer.finish();
    return lines;
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

/** --since: a duration back from now, or an absolute time. */
/** A timestamp without a zone is UTC, as every time valar prints is (JavaScript would read it as local time). */
function asUtc(timestamp: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/i.exec(timestamp);
  return m ? `${m[1]}T${m[2]}Z` : timestamp;
}

export function parseSince(text: string | undefined, now: number): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?(ms|s|m|h|d)/.test(trimmed)) return now - parseDuration(trimmed, "--since");
  const at = /^\d{4}-\d{2}-\d{2}/.test(trimmed) ? Date.parse(asUtc(trimmed)) : NaN;
  if (Number.isNaN(at)) {
    throw new UsageError(`invalid value "${text}" for --since`, {
      hint: "a duration back from now (90s, 10m, 2h) or a timestamp (2026-03-01T10:00:00Z)",
    });
  }
  return at;
}
