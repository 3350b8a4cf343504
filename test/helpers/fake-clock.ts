import type { Clock } from "../../src/app/context.js";

export interface FakeClock extends Clock {
  /** Moves time on by ms (what a sleep does, without waiting). */
  advance(ms: number): void;
  /** Every sleep asked for, in ms, in order. */
  sleeps: number[];
}

/**
 * A clock whose sleeps return at once and move its time on: polling, backoff and timeouts
 * run in a test in microseconds, with the same arithmetic as in a real run.
 */
export function fakeClock(start = Date.parse("2026-01-10T12:00:00Z")): FakeClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    advance(ms) {
      now += ms;
    },
    sleeps,
    async sleep(ms, signal) {
      signal?.throwIfAborted();
      sleeps.push(ms);
      now += ms;
      // A turn of the event loop, so a loop of sleeps still lets I/O and timers in.
      await new Promise((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
    },
  };
}
