import { BuildsApi } from "../api/builds.js";
import { isFinalStatus, type Build } from "../api/types.js";
import type { Ctx } from "../app/context.js";
import { ApiUnreachableError, ExitCode, InterruptedError, NotFoundError, ValarError, WaitTimeoutError } from "../errors.js";
import type { Deploy } from "../api/types.js";
import { errorCode } from "../api/http-errors.js";
import type { Settings } from "../settings/settings-types.js";
import { renderLogLine } from "../logs/format.js";
import { startSpinner } from "../output/spinner.js";
import { startLiveArea } from "../output/live.js";
import { DeploysApi } from "../api/deploys.js";
import { buildSummary, type BuildSummary } from "./summary.js";
import { logPrinter, type LogView } from "./print-build.js";
import { appendStepSummary, ciKind, githubErrorAnnotation, gitlabSection } from "../output/ci.js";
import { durationSeconds, WaitEvents, writeGithubOutput } from "./events.js";
import { reservedDeployment, waitForDeployment } from "./deploy-wait.js";
import { FAILED_LINES, failureExcerpt, printExcerpt, safeLine } from "./failure.js";
import { readLogTail, type LogTail } from "./log-tail.js";
import { hintCommand } from "./hints.js";
import { colorStatus, statusPhrase } from "../output/status.js";
import { formatElapsed } from "../output/time.js";
import type { Duration } from "../util/duration.js";
import { followBuildLog, stringSink } from "./follow.js";
import {
  abortable,
  reconnectDelay,
  describeError,
  isLoopbackEndpoint,
  isPermanent,
  LOOPBACK_GIVE_UP_MS,
  POLL_INTERVAL_MS,
  WAIT_RETRY_POLICY,
  type RetryPolicy,
} from "./wait-policy.js";

export interface WaitForBuildOptions {
  /** follow: the log on stdout; spinner: a spinner only; watch: status, elapsed time and the latest log lines. */
  mode: "follow" | "spinner" | "watch";
  /** How a followed log is shown (rendered when absent). */
  view?: LogView;
  /** Lines of the log already shown (by --tail's first read): the follow starts after them. */
  skipLines?: number;
  /** --timeout, as given and in milliseconds. */
  timeout?: Duration;
  abortOnInterrupt?: boolean;
  /**
   * The deployment the build will become, when known (submit's answer: 13); null when the
   * build deploys nothing. Undefined: looked up in the service's deployments once it is done.
   */
  deployment?: number | null;
  /** --no-wait-deploy: stop at the build's end. */
  noWaitDeploy?: boolean;
  /** --failed-lines: how many lines of a failed build's output to show (0: none). */
  failedLines?: number;
  /** --json: NDJSON events on stdout. */
  events?: WaitEvents;
  /** The log was printed whole before the wait (`logs -f` of an ended build). */
  logShown?: boolean;
  /** The status the command saw before the wait (the submit answer's, the prefix lookup's). */
  seenStatus?: string;
}

/**
 * Waits for a build to end, then for its deployment to leave `pending`, and returns the
 * exit code of the outcome: 0 for done (and live), 3 for anything else (failed, expired,
 * aborted, an unknown final status, a failed deployment). Throws WaitTimeoutError (124)
 * when --timeout runs out and InterruptedError (130) on Ctrl-C, both with a hint; with
 * abortOnInterrupt the build is aborted before the InterruptedError is thrown. With
 * --json, a result event ends the output whichever way the wait ends.
 */
export async function waitForBuild(ctx: Ctx, api: BuildsApi, buildId: string, opts: WaitForBuildOptions): Promise<number> {
  const timeoutMs = opts.timeout?.ms;
  const waiting = new AbortController();
  const onInterrupt = () => waiting.abort(ctx.signal.reason instanceof InterruptedError ? ctx.signal.reason : new InterruptedError());
  if (ctx.signal.aborted) onInterrupt();
  else ctx.signal.addEventListener("abort", onInterrupt, { once: true });
  const w: Waiter = {
    ctx,
    api,
    buildId,
    signal: waiting.signal,
    sleep: (ms, signal = waiting.signal) => ctx.clock.sleep(ms, signal),
    policy: WAIT_RETRY_POLICY,
    events: opts.events ?? new WaitEvents(ctx.io, false, () => ctx.clock.now()),
    sawUnfinished: opts.seenStatus !== undefined && !isFinalStatus(opts.seenStatus),
    settings: typeof ctx.settings === "function" ? await ctx.settings().catch(() => undefined) : undefined,
  };
  w.loopback = w.settings !== undefined && isLoopbackEndpoint(w.settings.endpoint.value);
  // A real timer, not the clock's: --timeout bounds wall time, a request that hangs
  // included, and a fake clock's sleeps return at once.
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => waiting.abort(timedOut(w, opts.timeout!.text)), timeoutMs);
  try {
    const build = opts.mode === "follow" ? await followToEnd(w, opts.view ?? {}, opts.skipLines) : await pollToEnd(w, opts.mode);
    return await reportOutcome(w, build, opts);
  } catch (caught) {
    let err = caught;
    if (waiting.signal.aborted) {
      const reason: unknown = waiting.signal.reason;
      err = reason instanceof InterruptedError ? await interrupted(w, reason, opts.abortOnInterrupt ?? false) : reason;
    }
    const exitCode = err instanceof ValarError ? err.exitCode : 1;
    w.events.result({
      build: buildId,
      status: w.latest?.status ?? null,
      durationSeconds: null,
      deployment: null,
      failure: null,
      exitCode,
      error: err instanceof Error ? err.message : String(err),
    });
    throw err;
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener("abort", onInterrupt);
  }
}

function timedOut(w: Waiter, timeout: string): WaitTimeoutError {
  return new WaitTimeoutError(`stopped waiting after ${timeout}; build ${w.buildId} goes on`, {
    hint: `keep waiting with \`${hintCommand(w.ctx, w.settings, `builds watch ${w.buildId}`)}\``,
  });
}

/**
 * The end of a wait: the duration (end − createdAt, the end being when the final status
 * was seen or, for a build that had already ended, its log's last timestamp), a failure's
 * reason, the deployment's wait, the summary line, then CI reports and events.
 */
async function reportOutcome(w: Waiter, build: Build, opts: WaitForBuildOptions): Promise<number> {
  const { ctx } = w;
  const failed = build.status !== "done";
  const wanted = failed ? (opts.failedLines ?? FAILED_LINES) : 0;
  const tail = failed || !w.sawUnfinished ? await logTail(w, wanted) : undefined;
  const created = Date.parse(build.createdAt);
  const end = w.sawUnfinished ? w.endSeenAt : tail?.lastTimestamp;
  const durationMs = end === undefined || Number.isNaN(created) ? undefined : Math.max(0, end - created);

  let deploy: Deploy | undefined;
  let label: string | undefined;
  if (!failed && opts.deployment !== null) {
    const version = opts.deployment ?? (await reservedVersion(w));
    if (typeof version === "number") {
      label = `v${version}`;
      if (!opts.noWaitDeploy) deploy = await awaitDeployment(w, version);
    } else if (version === null && !opts.noWaitDeploy) {
      ctx.io.note(`build ${build.id.slice(0, 8)} has no deployment to wait for`);
    }
  } else if (failed && opts.deployment) {
    label = `v${opts.deployment}`;
  }
  const outcome = label ? { label, status: deploy?.status, error: deploy?.error } : undefined;
  const summary = buildSummary(ctx.io, build, durationMs, outcome);
  const lastLines = tail?.lines ?? [];
  // An unreadable log is not an empty one: then no excerpt rather than "printed no output".
  const excerpt = failed && wanted > 0 && tail ? failureExcerpt(build, lastLines) : [];
  // -f has just printed those lines: the summary's error is all that is new.
  const logShown = opts.mode === "follow" || opts.logShown === true;
  if (excerpt.length && !logShown && !w.events.enabled) {
    if (ciKind(ctx.env) === "gitlab") ctx.io.writeErr(gitlabSection("valar_failure", excerpt[0]!, excerpt.slice(1), ctx.clock.now()));
    else printExcerpt(ctx.io, excerpt);
  }
  ctx.io.note(summary.line);
  const hint = failed ? logHint(w, build, logShown) : undefined;
  if (hint) ctx.io.note(`${ctx.io.err.dim("hint:")} ${hint}`);
  if (ciKind(ctx.env) === "github") reportToGitHub(ctx, build, summary, wanted > 0 ? lastLines.map(safeLine) : []);
  const exitCode = summary.ok ? ExitCode.OK : ExitCode.BUILD_UNSUCCESSFUL;
  writeGithubOutput(ctx.env, ctx.io, { buildId: build.id, status: build.status, deployment: label && !failed ? Number(label.slice(1)) : undefined });
  w.events.result({
    build: build.id,
    status: build.status,
    durationSeconds: durationSeconds(durationMs),
    deployment: deploy ?? null,
    failure: failed ? { error: build.error, lastLines } : null,
    exitCode,
  });
  return exitCode;
}

/** Only a hint that helps: none after -f streamed the log, none for an expired build (its log is gone). */
function logHint(w: Waiter, build: Build, logShown: boolean): string | undefined {
  if (logShown || build.status === "expired") return undefined;
  return `the whole log: ${hintCommand(w.ctx, w.settings, `builds logs ${build.id}`)}`;
}

/** The end of an ended build's log; unreadable, it is just not shown. */
async function logTail(w: Waiter, count: number): Promise<LogTail | undefined> {
  try {
    return await readLogTail(w.api, w.buildId, count, w.signal);
  } catch {
    if (w.signal.aborted) throw w.signal.reason;
    return undefined;
  }
}

/** In GitHub Actions: a failed build is an annotation on the run, every build a job summary entry. */
function reportToGitHub(ctx: Ctx, build: Build, summary: BuildSummary, lastLines: string[]): void {
  if (!summary.ok) ctx.io.note(githubErrorAnnotation(summary.text, lastLines));
  const file = ctx.env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  try {
    appendStepSummary(file, {
      id: build.id,
      status: build.status,
      duration: summary.duration,
      deployment: summary.deployment,
      error: build.error,
      lastLines,
    });
  } catch (err) {
    ctx.io.warn(`could not add to the job summary ${file}: ${(err as Error).message}`);
  }
}

function deploysApi(w: Waiter): DeploysApi {
  return new DeploysApi(w.api.client, w.api.project, w.api.service);
}

/** The version the build reserved, from the service's deployments: null when none is listed, undefined when unknown. */
async function reservedVersion(w: Waiter): Promise<number | null | undefined> {
  try {
    return reservedDeployment(await abortable(deploysApi(w).list(), w.signal), w.buildId)?.version ?? null;
  } catch {
    if (w.signal.aborted) throw w.signal.reason;
    return undefined;
  }
}

async function awaitDeployment(w: Waiter, version: number): Promise<Deploy> {
  const io = w.ctx.io;
  const spinner = io.canAnimate && !w.events.enabled ? startSpinner(io, `deployment v${version}: pending`) : undefined;
  let shown = false;
  try {
    return await waitForDeployment({
      api: deploysApi(w),
      version,
      signal: w.signal,
      sleep: (ms) => w.sleep(ms),
      interval: POLL_INTERVAL_MS,
      policy: w.policy,
      onRead: (d) => {
        w.events.deployment(d);
        if (d.status !== "pending" || spinner || shown || w.events.enabled) return;
        shown = true;
        io.note(`deployment v${version}: pending`);
      },
    });
  } finally {
    spinner?.stop();
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
  events: WaitEvents;
  /** The latest reading of the build. */
  latest?: Build;
  /** Whether the build was seen before its end (else it had ended before the wait began). */
  sawUnfinished: boolean;
  /** When its final status was first seen. */
  endSeenAt?: number;
  /** Whether the endpoint is this machine: a refused connection there is a stopped server. */
  loopback?: boolean;
  /** When status reads began to be refused (loopback only). */
  refusedSince?: number;
  /** For hints that run as printed (undefined in tests without settings). */
  settings?: Settings;
}

/** The build as the list answer shows it; retries transient failures, exit 6 after repeated ones. */
async function readBuild(w: Waiter): Promise<Build> {
  for (let failures = 1; ; failures++) {
    try {
      const builds = await abortable(w.api.list(w.buildId), w.signal);
      const build = builds.find((b) => b.id === w.buildId);
      if (!build) throw new NotFoundError(`build ${w.buildId} no longer exists`);
      seen(w, build);
      return build;
    } catch (err) {
      if (w.signal.aborted) throw w.signal.reason;
      if (isPermanent(err)) throw err;
      if (failures >= w.policy.attempts || stoppedLocalServer(w, err, failures)) {
        // Never contradicts a final status already seen: this read only came after it.
        const outcome =
          w.latest && isFinalStatus(w.latest.status)
            ? `build ${w.buildId} ${statusPhrase(w.latest.status)}`
            : `the outcome of build ${w.buildId} is unknown`;
        throw new ApiUnreachableError(`lost the connection to the API (${describeError(err)}); ${outcome}`, {
          hint: `the build may still be running; check later with \`${hintCommand(w.ctx, w.settings, `builds status ${w.buildId}`)}\``,
        });
      }
      if (failures === 1) w.ctx.io.note(w.ctx.io.err.dim("reconnecting…"));
      await w.sleep(reconnectDelay(w.policy, failures));
    }
  }
}

/**
 * A loopback endpoint that keeps refusing connections is a local server (the sandbox)
 * that stopped, not a network hiccup: given up on LOOPBACK_GIVE_UP_MS after the first refusal.
 */
function stoppedLocalServer(w: Waiter, err: unknown, failures: number): boolean {
  if (!w.loopback || errorCode(err) !== "ECONNREFUSED") return false;
  const now = w.ctx.clock.now();
  w.refusedSince ??= now;
  return now + reconnectDelay(w.policy, failures) - w.refusedSince > LOOPBACK_GIVE_UP_MS;
}

function seen(w: Waiter, build: Build): void {
  w.latest = build;
  w.events.status(build);
  if (!isFinalStatus(build.status)) w.sawUnfinished = true;
  else w.endSeenAt ??= w.ctx.clock.now();
}

async function followToEnd(w: Waiter, view: LogView, skip?: number): Promise<Build> {
  let last: Build | undefined;
  const printer = logPrinter(w.ctx.io, { ci: ciKind(w.ctx.env), ...view }, w.signal);
  const result = await followBuildLog({
    source: w.api,
    buildId: w.buildId,
    sink: printer,
    skip,
    signal: w.signal,
    sleep: (ms, signal) => w.sleep(ms, signal),
    now: () => w.ctx.clock.now(),
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
    for (;;) {
      const build = await readBuild(w);
      display.show(build);
      if (isFinalStatus(build.status)) return build;
      await w.sleep(POLL_INTERVAL_MS);
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
    now: () => w.ctx.clock.now(),
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
      // The final screen stays: its last log lines are often the reason for the outcome.
      live.stop(latest !== undefined && isFinalStatus(latest.status));
    },
  };
}

/** What Ctrl-C or SIGTERM during a wait ends in (the exit code follows the signal). */
async function interrupted(w: Waiter, by: InterruptedError, abort: boolean): Promise<InterruptedError> {
  const { api, buildId } = w;
  const hint = `to abort it: ${hintCommand(w.ctx, w.settings, `builds abort ${buildId}`)}`;
  if (!abort) return by.with(`stopped waiting; build ${buildId} goes on`, { hint });
  try {
    // The CLI's client is tied to the Ctrl-C signal, which has fired: this last request needs its own.
    await new BuildsApi(api.client.withDeadline(10_000), api.project, api.service).abort(buildId);
    return by.with(`interrupted; build ${buildId} was aborted`);
  } catch (err) {
    return by.with(`interrupted; could not abort build ${buildId}: ${describeError(err)}`, { hint });
  }
}
