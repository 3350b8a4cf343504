import { BuildsApi } from "../api/builds.js";
import { isFinalStatus, type Build } from "../api/types.js";
import type { Ctx } from "../context.js";
import { ApiUnreachableError, InterruptedError, NotFoundError, WaitTimeoutError } from "../errors.js";
import { renderLogLine } from "../logs/format.js";
import { startSpinner } from "../output/spinner.js";
import { startLiveArea } from "../output/live.js";
import { DeploysApi } from "../api/deploys.js";
import { buildSummary, type BuildSummary } from "./summary.js";
import { logPrinter, type LogView } from "./print.js";
import { appendStepSummary, ciKind, githubErrorAnnotation } from "../output/ci.js";
import { colorStatus } from "../output/status.js";
import { formatElapsed } from "../output/time.js";
import { parseDuration } from "../util/duration.js";
import { followBuildLog, stringSink } from "./follow.js";
import { abortable, silenceInterval, reconnectDelay, describeError, isPermanent, pollInterval, waitRetryPolicy, type RetryPolicy } from "./retry.js";

export interface WaitForBuildOptions {
  /** follow: the log on stdout; spinner: a spinner only; watch: status, elapsed time and the latest log lines. */
  mode: "follow" | "spinner" | "watch";
  /** How a followed log is shown (rendered when absent). */
  view?: LogView;
  /** Lines of the log already shown (by --tail's first read): the follow starts after them. */
  skipLines?: number;
  /** The --timeout flag's text (e.g. "15m"). */
  timeout?: string;
  abortOnInterrupt?: boolean;
  /** The deployment the submission announced ("v13"), for the summary line. */
  deployment?: string;
}

/**
 * Waits for a build to end and returns the exit code of its outcome: 0 for done, 3 for
 * anything else (failed, expired, aborted, an unknown final status). Throws WaitTimeoutError
 * (124) when --timeout runs out and InterruptedError (130) on Ctrl-C, both with a hint;
 * with abortOnInterrupt the build is aborted before the InterruptedError is thrown.
 */
export async function waitForBuild(ctx: Ctx, api: BuildsApi, buildId: string, opts: WaitForBuildOptions): Promise<number> {
  const timeoutMs = opts.timeout === undefined ? undefined : parseDuration(opts.timeout);
  const waiting = new AbortController();
  const onInterrupt = () =>
    waiting.abort(ctx.signal.reason instanceof InterruptedError ? ctx.signal.reason : new InterruptedError());
  if (ctx.signal.aborted) onInterrupt();
  else ctx.signal.addEventListener("abort", onInterrupt, { once: true });
  const timer =
    timeoutMs === undefined ? undefined : setTimeout(() => waiting.abort(timedOut(buildId, opts.timeout!)), timeoutMs);
  const w: Waiter = {
    ctx,
    api,
    buildId,
    signal: waiting.signal,
    sleep: (ms, signal = waiting.signal) => ctx.clock.sleep(ms, signal),
    policy: waitRetryPolicy(ctx.env),
  };
  try {
    const build =
      opts.mode === "follow" ? await followToEnd(w, opts.view ?? {}, opts.skipLines) : await pollToEnd(w, opts.mode);
    return await reportOutcome(ctx, api, build, opts.deployment);
  } catch (err) {
    if (!waiting.signal.aborted) throw err;
    const reason: unknown = waiting.signal.reason;
    if (reason instanceof InterruptedError) throw await interrupted(reason, api, buildId, opts.abortOnInterrupt ?? false);
    throw reason;
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener("abort", onInterrupt);
  }
}

function timedOut(buildId: string, timeout: string): WaitTimeoutError {
  return new WaitTimeoutError(`stopped waiting after ${timeout}; build ${buildId} goes on`, {
    hint: `keep waiting with \`valar builds watch ${buildId}\``,
  });
}

/**
 * Exit code of a final build, with its summary line on stderr. The deployment is the one
 * the submission announced, else the one the API lists for a done build (looked up once,
 * briefly; without an answer the line just goes without it).
 */
export async function reportOutcome(ctx: Ctx, api: BuildsApi, build: Build, deployment?: string): Promise<number> {
  const shown = deployment ?? (build.status === "done" ? await deploymentOf(ctx, api, build.id) : undefined);
  const summary = buildSummary(ctx.io, build, ctx.clock.now(), shown);
  ctx.io.note(summary.line);
  if (summary.hint) ctx.io.note(`${ctx.io.err.dim("hint:")} ${summary.hint}`);
  if (ciKind(ctx.env) === "github") reportToGitHub(ctx, build, summary, shown);
  return summary.ok ? 0 : 3;
}

/** In GitHub Actions: a failed build is an annotation on the run, every build a job summary entry. */
function reportToGitHub(ctx: Ctx, build: Build, summary: BuildSummary, deployment: string | undefined): void {
  if (!summary.ok) ctx.io.note(githubErrorAnnotation(summary.text));
  const file = ctx.env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  try {
    appendStepSummary(file, { id: build.id, status: build.status, duration: summary.duration, deployment, error: build.error });
  } catch (err) {
    ctx.io.warn(`could not add to the job summary ${file}: ${(err as Error).message}`);
  }
}

async function deploymentOf(ctx: Ctx, api: BuildsApi, buildId: string): Promise<string | undefined> {
  try {
    const deploys = await new DeploysApi(api.client.withDeadline(2000, { once: true }), api.project, api.service).list();
    const newest = deploys.filter((d) => d.build === buildId).sort((a, b) => b.version - a.version)[0];
    return newest ? `v${newest.version}` : undefined;
  } catch {
    return undefined;
  }
}

interface Waiter {
  ctx: Ctx;
  api: BuildsApi;
  buildId: string;
  /** Aborted on Ctrl-C or when --timeout runs out. */
  signal: AbortSignal;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  policy: RetryPolicy;
}

/** The build as the list answer shows it; retries transient failures, exit 6 after repeated ones. */
async function readBuild(w: Waiter): Promise<Build> {
  for (let failures = 1; ; failures++) {
    try {
      const builds = await abortable(w.api.list(w.buildId), w.signal);
      const build = builds.find((b) => b.id === w.buildId);
      if (!build) throw new NotFoundError(`build ${w.buildId} no longer exists`);
      return build;
    } catch (err) {
      if (w.signal.aborted) throw w.signal.reason;
      if (isPermanent(err)) throw err;
      if (failures >= w.policy.attempts) {
        throw new ApiUnreachableError(`cannot read the status of build ${w.buildId}: ${describeError(err)}`, {
          hint: `the build may still be running; check later with \`valar builds status ${w.buildId}\``,
        });
      }
      await w.sleep(reconnectDelay(w.policy, failures));
    }
  }
}

async function followToEnd(w: Waiter, view: LogView, skip?: number): Promise<Build> {
  let last: Build | undefined;
  const printer = logPrinter(w.ctx.io, { ci: ciKind(w.ctx.env), ...view }, w.signal);
  const result = await followBuildLog({
    source: w.api,
    buildId: w.buildId,
    sink: printer,
    skip,
    silenceMs: silenceInterval(w.ctx.env),
    signal: w.signal,
    sleep: (ms, signal) => w.sleep(ms, signal),
    readStatus: async () => (last = await readBuild(w)).status,
    retry: w.policy,
    onReconnect: () => w.ctx.io.note(w.ctx.io.err.dim("reconnecting…")),
  });
  await printer.finish();
  if (result.kind === "ended") return last!;
  // A lost log stream is not a failed build: its status decides the exit code.
  w.ctx.io.warn(`the log stream of build ${w.buildId} was lost (${describeError(result.cause)}); waiting for the build to end`);
  return pollToEnd(w, "spinner");
}

interface StatusDisplay {
  show(build: Build): void;
  stop(): void;
}

async function pollToEnd(w: Waiter, mode: "spinner" | "watch"): Promise<Build> {
  const display = mode === "watch" ? watchDisplay(w) : spinnerDisplay(w);
  try {
    const interval = pollInterval(w.ctx.env);
    for (;;) {
      const build = await readBuild(w);
      display.show(build);
      if (isFinalStatus(build.status)) return build;
      await w.sleep(interval);
    }
  } finally {
    display.stop();
  }
}

function statusLine(w: Waiter, build: Build): string {
  const created = Date.parse(build.createdAt);
  const elapsed = Number.isNaN(created) ? "" : ` (${formatElapsed(w.ctx.clock.now() - created)})`;
  return `build ${build.id}: ${colorStatus(build.status, w.ctx.io.err)}${elapsed}`;
}

/**
 * Off an animated terminal (a pipe, CI, or NO_COLOR at a terminal): one plain line per
 * status change, the final one left to the summary line.
 */
function statusLines(w: Waiter): StatusDisplay {
  let shown: string | undefined;
  return {
    show(build) {
      if (build.status === shown || isFinalStatus(build.status)) return;
      shown = build.status;
      w.ctx.io.note(statusLine(w, build));
    },
    stop() {},
  };
}

/** A spinner on a terminal (its elapsed time ticking each second); status lines elsewhere. */
function spinnerDisplay(w: Waiter): StatusDisplay {
  if (!w.ctx.io.canAnimate) return statusLines(w);
  const spinner = startSpinner(w.ctx.io, `waiting for build ${w.buildId}`);
  let latest: Build | undefined;
  const ticker = setInterval(() => latest && spinner.update(statusLine(w, latest)), 1000);
  return {
    show(build) {
      latest = build;
      spinner.update(statusLine(w, build));
    },
    stop() {
      clearInterval(ticker);
      spinner.stop();
    },
  };
}

const WATCH_LOG_LINES = 5;

/**
 * On a terminal: status, elapsed time and the latest log lines, redrawn in place (the log is
 * followed on the side; if it fails, the status alone is shown). Elsewhere: one line per
 * status change, the final one left to the verdict.
 */
function watchDisplay(w: Waiter): StatusDisplay {
  const io = w.ctx.io;
  if (!io.canAnimate) return statusLines(w);
  const live = startLiveArea(io, `waiting for build ${w.buildId}`);
  const tail: string[] = [];
  let latest: Build | undefined;
  const redraw = () => latest && live.render(statusLine(w, latest), tail);
  const feed = new AbortController();
  const stopFeed = () => feed.abort(w.signal.reason);
  w.signal.addEventListener("abort", stopFeed, { once: true });
  followBuildLog({
    source: w.api,
    buildId: w.buildId,
    signal: feed.signal,
    sleep: (ms, signal) => w.ctx.clock.sleep(ms, signal),
    readStatus: async () => (await readBuild(w)).status,
    retry: w.policy,
    sink: stringSink((line) => {
      tail.push(renderLogLine(line, { raw: true, color: io.err, clean: "strip" }));
      if (tail.length > WATCH_LOG_LINES) tail.shift();
      redraw();
    }),
  }).catch(() => {
    // The log is a garnish here: the status decides, and it is read on its own.
  });
  const ticker = setInterval(redraw, 1000);
  return {
    show(build) {
      latest = build;
      redraw();
    },
    stop() {
      clearInterval(ticker);
      w.signal.removeEventListener("abort", stopFeed);
      feed.abort();
      live.stop();
    },
  };
}

/** What Ctrl-C or SIGTERM during a wait ends in (the exit code follows the signal). */
async function interrupted(by: InterruptedError, api: BuildsApi, buildId: string, abort: boolean): Promise<InterruptedError> {
  const hint = `to abort it: valar builds abort ${buildId}`;
  if (!abort) return by.with(`stopped waiting; build ${buildId} goes on`, { hint });
  try {
    // The CLI's client is tied to the Ctrl-C signal, which has fired: this last request needs its own.
    await new BuildsApi(api.client.withDeadline(10_000), api.project, api.service).abort(buildId);
    return by.with(`interrupted; build ${buildId} was aborted`);
  } catch (err) {
    return by.with(`interrupted; could not abort build ${buildId}: ${describeError(err)}`, { hint });
  }
}
