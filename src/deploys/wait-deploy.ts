import type { DeploysApi } from "../api/deploys.js";
import type { Deploy } from "../api/types.js";
import type { Ctx } from "../app/context.js";
import { ExitCode, InterruptedError, UsageError, ValarError, WaitTimeoutError } from "../errors.js";
import { startSpinner } from "../output/spinner.js";
import { oneLine } from "../output/text.js";
import { outcomeMark } from "../output/status.js";
import { waitForDeployment } from "../builds/deploy-wait.js";
import { WaitEvents, writeGithubOutput } from "../builds/events.js";
import { POLL_INTERVAL_MS, WAIT_RETRY_POLICY } from "../builds/wait-policy.js";
import type { Duration } from "../util/duration.js";

export interface DeployWaitFlags {
  wait?: boolean;
  timeout?: Duration;
  json?: boolean;
}

/** Before anything is sent: --timeout only with -w, and a duration it can read. */
export function checkWaitFlags(flags: DeployWaitFlags): void {
  if (flags.timeout === undefined) return;
  if (!flags.wait) throw new UsageError("--timeout needs -w/--wait", { hint: "add -w to wait until the deployment is live" });
}

/**
 * `deploys create|rollback -w`: waits until the new deployment leaves `pending`; exit 0
 * when it is live, 3 when it failed, 124 when --timeout runs out (the deployment goes on).
 * With --json, NDJSON events end in a result event whichever way the wait ends.
 */
export async function waitForNewDeploy(ctx: Ctx, api: DeploysApi, created: Deploy, flags: DeployWaitFlags): Promise<number> {
  const label = `v${created.version}`;
  const events = new WaitEvents(ctx.io, flags.json === true, () => ctx.clock.now());
  const waiting = new AbortController();
  const onInterrupt = () => waiting.abort(ctx.signal.reason instanceof InterruptedError ? ctx.signal.reason : new InterruptedError());
  if (ctx.signal.aborted) onInterrupt();
  else ctx.signal.addEventListener("abort", onInterrupt, { once: true });
  const timeoutMs = flags.timeout?.ms;
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => waiting.abort(new WaitTimeoutError(`stopped waiting after ${flags.timeout!.text}; deployment ${label} goes on`)), timeoutMs);
  const spinner = ctx.io.canAnimate && !events.enabled ? startSpinner(ctx.io, `deployment ${label}: pending`) : undefined;
  let latest = created;
  try {
    const final = await waitForDeployment({
      api,
      version: created.version,
      signal: waiting.signal,
      sleep: (ms) => ctx.clock.sleep(ms, waiting.signal),
      interval: POLL_INTERVAL_MS,
      policy: WAIT_RETRY_POLICY,
      onRead: (d) => {
        latest = d;
        events.deployment(d);
      },
    });
    spinner?.stop();
    const ok = final.status === "done";
    const error = oneLine(final.error);
    ctx.io.note(`${outcomeMark(ctx.io, ok)} deployment ${label} ${ok ? "live" : `${oneLine(final.status)}${error ? `: ${error}` : ""}`}`);
    const exitCode = ok ? ExitCode.OK : ExitCode.BUILD_UNSUCCESSFUL;
    writeGithubOutput(ctx.env, ctx.io, { buildId: final.build, status: final.status, deployment: final.version });
    events.result({ build: final.build, status: "done", durationSeconds: null, deployment: final, failure: null, exitCode });
    return exitCode;
  } catch (caught) {
    spinner?.stop();
    let err = caught;
    if (waiting.signal.aborted) {
      const reason: unknown = waiting.signal.reason;
      err = reason instanceof InterruptedError ? reason.with(`stopped waiting; deployment ${label} goes on`) : reason;
    }
    const exitCode = err instanceof ValarError ? err.exitCode : 1;
    events.result({
      build: latest.build,
      status: "done",
      durationSeconds: null,
      deployment: latest,
      failure: null,
      exitCode,
      error: (err as Error).message,
    });
    throw err;
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener("abort", onInterrupt);
  }
}
