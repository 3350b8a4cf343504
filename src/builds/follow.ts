import type { StreamResponse } from "../api/client.js";
import { NotFoundError } from "../errors.js";
import { LineSplitter } from "./lines.js";
import { abortable, reconnectDelay, isPermanent, type RetryPolicy } from "./retry.js";

/** The part of BuildsApi the log readers need. */
export interface LogSource {
  openLogs(id: string, follow: boolean, signal?: AbortSignal): Promise<StreamResponse>;
}

/** Receives each line; may return a promise to pause reading (backpressure). */
export type LineSink = (line: string) => void | Promise<void>;

export function logsExpired(buildId: string): NotFoundError {
  return new NotFoundError(`the logs of build ${buildId} have expired`);
}

/**
 * Prints a whole log as it arrives (GET …/logs without follow). 204 → exit 5.
 * Returns the number of lines delivered.
 */
export async function streamBuildLog(source: LogSource, buildId: string, onLine: LineSink, signal: AbortSignal): Promise<number> {
  const res = await abortable(source.openLogs(buildId, false, signal), signal);
  if (res.status === 204) {
    res.body.resume();
    throw logsExpired(buildId);
  }
  let count = 0;
  const splitter = new LineSplitter();
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    for (const line of splitter.push(chunk)) {
      await onLine(line);
      count++;
    }
  }
  const rest = splitter.end();
  if (rest !== undefined) {
    await onLine(rest);
    count++;
  }
  return count;
}

export interface FollowLogOptions {
  source: LogSource;
  buildId: string;
  onLine: LineSink;
  /** Aborted on Ctrl-C or --timeout: the follow stops and rejects with its reason. */
  signal: AbortSignal;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /**
   * The build's status, confirmed when a stream ends (the server may close it early).
   * Retries on its own; throws when the status cannot be read.
   */
  readStatus(): Promise<string>;
  retry: RetryPolicy;
  /** Called before each reconnect (attempt counts from 1 since the last progress). */
  onReconnect?(attempt: number, cause: unknown): void;
}

export type FollowResult =
  | { kind: "ended"; status: string; lines: number }
  /** The stream could not be restored; the build may still be running. */
  | { kind: "lost"; lines: number; cause: unknown };

/**
 * Follows a build's log to its end, surviving drops. The API has no offset: a reconnect
 * gets the whole log again, so the lines already delivered are counted and skipped. Only
 * newline-terminated lines count; a partial line at a drop is discarded and comes again
 * whole. Memory holds one partial line at most, however long the log.
 */
export async function followBuildLog(opts: FollowLogOptions): Promise<FollowResult> {
  const { source, buildId, signal } = opts;
  let delivered = 0;
  let failures = 0;
  let earlyEnds = 0;
  let firstConnect = true;
  for (;;) {
    let cause: unknown;
    let ended: { splitter: LineSplitter; seen: number } | undefined;
    try {
      const res = await abortable(source.openLogs(buildId, true, signal), signal);
      if (res.status === 204) {
        res.body.resume();
        if (firstConnect) throw logsExpired(buildId);
        return { kind: "lost", lines: delivered, cause: logsExpired(buildId) };
      }
      firstConnect = false;
      let seen = 0;
      const splitter = new LineSplitter();
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        for (const line of splitter.push(chunk)) {
          seen++;
          if (seen <= delivered) continue;
          await opts.onLine(line);
          delivered++;
          failures = 0;
          earlyEnds = 0;
        }
      }
      ended = { splitter, seen };
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (isPermanent(err)) throw err;
      cause = err;
    }
    if (ended) {
      // A stream that ends cleanly may still be the server closing early: ask the status.
      const status = await opts.readStatus();
      if (status !== "pending" && status !== "running") {
        // Only now is an unterminated tail known to be the log's real last line.
        const rest = ended.splitter.end();
        if (rest !== undefined && rest !== "" && ended.seen >= delivered) {
          await opts.onLine(rest);
          delivered++;
        }
        return { kind: "ended", status, lines: delivered };
      }
      // The server answered properly, so the stream is not failing: it is early. Come back
      // (more slowly each time nothing new came), and never call the log lost for that;
      // the build's end will end the loop. A pending build has no log yet: no note either.
      earlyEnds++;
      if (status === "running") opts.onReconnect?.(earlyEnds, new Error("the log stream ended while the build is running"));
      await opts.sleep(reconnectDelay(opts.retry, earlyEnds), signal);
      continue;
    }
    failures++;
    if (failures > opts.retry.attempts) return { kind: "lost", lines: delivered, cause };
    opts.onReconnect?.(failures, cause);
    await opts.sleep(reconnectDelay(opts.retry, failures), signal);
  }
}
