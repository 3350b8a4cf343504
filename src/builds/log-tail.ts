import { parseLogEntry } from "../logs/format.js";
import { stringSink, streamBuildLog, type LogSource } from "./follow.js";
import { TailBuffer } from "./log-select.js";

/** What the end of a build's log tells: its last own lines and when it last wrote. */
export interface LogTail {
  /** The last lines of the build's own output (PROCESS entries and plain lines), oldest first, as sent. */
  lines: string[];
  /** The timestamp of the last entry that has one (ms since the epoch). */
  lastTimestamp?: number;
}

/**
 * Reads a whole log (an ended build's: it does not grow) keeping only its last `count` own
 * lines; an expired log is an empty one.
 */
export async function readLogTail(source: LogSource, buildId: string, count: number, signal: AbortSignal): Promise<LogTail> {
  const tail = new TailBuffer<string>(count);
  let lastTimestamp: number | undefined;
  await streamBuildLog(
    source,
    buildId,
    stringSink((line) => {
      const entry = parseLogEntry(line);
      if (entry) {
        const t = Date.parse(entry.timestamp);
        if (!Number.isNaN(t)) lastTimestamp = t;
        if (entry.source !== "WRAPPER") tail.push(entry.content);
      } else if (line !== "") {
        tail.push(line);
      }
    }),
    signal,
    { expiredIsEnd: true },
  );
  return { lines: tail.drain(), lastTimestamp };
}

/**
 * An ended build's duration by the waiting commands' rule for a build that ended before
 * they looked: its log's last timestamp − createdAt; undefined without one (or without a log).
 */
export async function endedBuildDuration(
  source: LogSource,
  build: { id: string; createdAt: string },
  signal: AbortSignal,
): Promise<number | undefined> {
  const created = Date.parse(build.createdAt);
  try {
    const { lastTimestamp } = await readLogTail(source, build.id, 0, signal);
    return lastTimestamp === undefined || Number.isNaN(created) ? undefined : Math.max(0, lastTimestamp - created);
  } catch (err) {
    if (signal.aborted) throw err;
    return undefined;
  }
}
