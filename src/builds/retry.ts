import { ApiUnreachableError, ValarError } from "../errors.js";

/** How the waiting code retries: base delay doubling up to maxMs, at most `attempts` times in a row. */
export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  attempts: number;
}

/**
 * 0.5 s doubling to 8 s, 6 tries. VALAR_RETRY_BASE_MS scales it (a testing knob shared
 * with the API client), keeping the 16× cap.
 */
export function retryPolicy(env: NodeJS.ProcessEnv): RetryPolicy {
  const base = positiveNumber(env.VALAR_RETRY_BASE_MS) ?? 500;
  return { baseMs: base, maxMs: base * 16, attempts: 6 };
}

/** Interval between status reads while waiting; VALAR_POLL_MS is a testing knob. */
export function pollInterval(env: NodeJS.ProcessEnv): number {
  return positiveNumber(env.VALAR_POLL_MS) ?? 1500;
}

export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * A failure that another try will not fix: the token, a build that is gone, a request the
 * API refuses, stdout closed. Only an unreachable or failing API (network, 5xx, an odd
 * answer) and errors that are not ours may pass.
 */
export function isPermanent(err: unknown): boolean {
  return err instanceof ValarError && !(err instanceof ApiUnreachableError);
}

export function describeError(err: unknown): string {
  if (err instanceof ValarError || err instanceof Error) return err.message;
  return String(err);
}

function positiveNumber(text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Rejects with the signal's reason as soon as it aborts, whatever the promise does. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
