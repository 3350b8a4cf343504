import type { StreamResponse } from "../api/client.js";
import { NotFoundError } from "../errors.js";
import { LineSplitter, type OnLineBytes } from "../logs/line-splitter.js";
import { forEachChunk } from "../logs/chunks.js";
import { abortable, reconnectDelay, isPermanent, type RetryPolicy } from "./wait-policy.js";

/** The part of BuildsApi the log readers need. */
export interface LogSource {
  openLogs(id: string, follow: boolean, signal?: AbortSignal): Promise<StreamResponse>;
}

/** Where a log's lines go: each line as bytes, then a flush at the end of each network chunk. */
export interface LineSink {
  /** One complete line: bytes[start, end), its line ending left out. Valid only during the call. */
  line: OnLineBytes;
  /** Pass on what the chunk's lines made; a promise pauses the reader until it resolves. */
  flush(): void | Promise<void>;
  /** A line too long to hold, in pieces as they arrive (then line() with its length): else it is cut. */
  piece?(bytes: Buffer, start: number, end: number): void;
}

/** A sink that hands each line on as a string: for small consumers (the watch view, tests). */
export function stringSink(onLine: (line: string) => void): LineSink {
  return { line: (b, s, e) => onLine(b.toString("utf8", s, e)), flush() {} };
}

function logsExpired(buildId: string): NotFoundError {
  return new NotFoundError(`the logs of build ${buildId} have expired`);
}

export interface StreamLogOptions {
  /**
   * Leave out an unterminated last line (a running build's log may end mid-line: a follow
   * that skips the lines delivered here gets it again, whole).
   */
  complete?: boolean;
  /** Lines already shown: read and left out. */
  skip?: number;
  /** Bytes of the line after them already handed on in pieces (a line too long to hold): left out too. */
  skipBytes?: number;
  /** 204 (expired) is the end of the log rather than exit 5. */
  expiredIsEnd?: boolean;
}

/**
 * Prints a whole log as it arrives (GET …/logs without follow). 204 → exit 5.
 * Returns the number of lines delivered.
 */
export async function streamBuildLog(
  source: LogSource,
  buildId: string,
  sink: LineSink,
  signal: AbortSignal,
  options: StreamLogOptions = {},
): Promise<number> {
  const res = await abortable(source.openLogs(buildId, false, signal), signal);
  if (res.status === 204) {
    res.body.resume();
    if (options.expiredIsEnd) return 0;
    throw logsExpired(buildId);
  }
  let seen = 0;
  let count = 0;
  const skip = options.skip ?? 0;
  let at = 0;
  const splitter = new LineSplitter(
    sink.piece &&
      ((b, s, e) => {
        if (seen < skip) return;
        const from = seen === skip ? s + Math.min(e - s, Math.max(0, (options.skipBytes ?? 0) - at)) : s;
        at += e - s;
        if (from < e) sink.piece!(b, from, e);
      }),
  );
  const line: OnLineBytes = (b, s, e, long) => {
    if (++seen <= skip) return;
    count++;
    sink.line(b, s, e, long);
  };
  await forEachChunk(res.body, (chunk) => {
    splitter.push(chunk, line);
    return sink.flush();
  });
  if (!options.complete) splitter.end(line);
  await sink.flush();
  return count;
}

export interface FollowLogOptions {
  source: LogSource;
  buildId: string;
  sink: LineSink;
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
  /** Lines already shown (e.g. by --tail's first read): skipped as if delivered. */
  skip?: number;
  /** How long a followed stream may stay silent before the build's status is checked. */
  silenceMs?: number;
  /** The clock the silence is measured on: the context's, whose `sleep` is the one above. */
  now(): number;
}

/**
 * The contract's silence: 15 s without a complete line, and the CLI asks whether the build
 * has ended (bytes that end no line, a space every few seconds, do not keep it waiting).
 */
const SILENCE_MS = 15_000;

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
  const { source, buildId, signal, sink } = opts;
  let delivered = opts.skip ?? 0;
  let failures = 0;
  let earlyEnds = 0;
  let firstConnect = true;
  // Bytes of the line after the last delivered one that went out in pieces (a line too long
  // to hold, streamed through) before a drop: the next connection skips them.
  let streamed = 0;
  const isFinal = (status: string) => status !== "pending" && status !== "running";
  for (;;) {
    let cause: unknown;
    let ended: { splitter: LineSplitter; seen: number } | undefined;
    // A connection can stall without ever closing. After a silence, the status decides: a
    // build that has ended gets the rest of its log read once, without follow.
    const connection = new AbortController();
    const stop = () => connection.abort(signal.reason);
    signal.addEventListener("abort", stop, { once: true });
    let endedSilently: string | undefined;
    // The silence is measured on the injected clock, so a test's clock drives it as it does
    // the polls and the backoff. One watcher per connection sleeps until the last progress
    // is SILENCE_MS old: progress only moves a timestamp (a timer and an AbortController
    // per chunk cost a followed 150 MB log ~6 MiB of peak memory).
    const quiet = new AbortController();
    const silenceMs = opts.silenceMs ?? SILENCE_MS;
    let lastProgress = opts.now();
    let over = false;
    const watch = async () => {
      for (;;) {
        const left = silenceMs - (opts.now() - lastProgress);
        if (left > 0) {
          await opts.sleep(left, quiet.signal);
          continue;
        }
        const status = await opts.readStatus().catch(() => undefined);
        // A status read still under way when this connection ended decides nothing.
        if (over) return;
        if (status !== undefined && isFinal(status)) {
          endedSilently = status;
          connection.abort(new Error("the log stream went silent after the build ended"));
          return;
        }
        lastProgress = opts.now();
      }
    };
    try {
      watch().catch(() => undefined);
      const res = await abortable(source.openLogs(buildId, true, connection.signal), connection.signal);
      if (res.status === 204) {
        res.body.resume();
        if (firstConnect) throw logsExpired(buildId);
        return { kind: "lost", lines: delivered, cause: logsExpired(buildId) };
      }
      firstConnect = false;
      let seen = 0;
      let at = 0;
      let pieces = 0;
      const splitter = new LineSplitter(
        sink.piece &&
          ((b, s, e) => {
            if (seen < delivered) return;
            const from = s + Math.min(e - s, Math.max(0, streamed - at));
            at += e - s;
            if (from === e) return;
            sink.piece!(b, from, e);
            streamed = at;
            pieces++;
          }),
      );
      const line: OnLineBytes = (b, s, e, long) => {
        seen++;
        at = 0;
        if (seen <= delivered) return;
        sink.line(b, s, e, long);
        streamed = 0;
        delivered++;
        failures = 0;
        earlyEnds = 0;
      };
      await forEachChunk(res.body, (chunk) => {
        const before = seen + pieces;
        splitter.push(chunk, line);
        // Progress is a line, or a piece of one too long to hold: not any byte.
        if (seen + pieces !== before) lastProgress = opts.now();
        return sink.flush();
      });
      ended = { splitter, seen };
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (endedSilently !== undefined) return readRest(opts, delivered, streamed, endedSilently);
      if (isPermanent(err)) throw err;
      cause = err;
    } finally {
      over = true;
      quiet.abort();
      signal.removeEventListener("abort", stop);
    }
    if (ended) {
      // A stream that ends cleanly may still be the server closing early: ask the status.
      const status = await opts.readStatus();
      if (isFinal(status)) {
        // Only now is an unterminated tail known to be the log's real last line.
        if (ended.seen >= delivered) {
          ended.splitter.end((b, s, e, long) => {
            if (e === s && long === undefined) return;
            sink.line(b, s, e, long);
            delivered++;
          });
          await sink.flush();
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

/**
 * The rest of the log of a build that has ended, read once without follow. A read that
 * fails loses the log, not the build: its status, known already, decides the exit code.
 */
async function readRest(opts: FollowLogOptions, delivered: number, streamed: number, status: string): Promise<FollowResult> {
  try {
    const lines = await streamBuildLog(opts.source, opts.buildId, opts.sink, opts.signal, {
      skip: delivered,
      skipBytes: streamed,
      expiredIsEnd: true,
    });
    return { kind: "ended", status, lines: delivered + lines };
  } catch (err) {
    if (opts.signal.aborted) throw opts.signal.reason;
    if (isPermanent(err)) throw err;
    return { kind: "lost", lines: delivered, cause: err };
  }
}
