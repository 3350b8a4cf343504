import { ApiUnreachableError, TlsError, ValarError } from "../errors.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../api/retry-policy.js";
import { isLoopbackHost } from "../api/endpoint.js";

export type { RetryPolicy };

/**
 * The API client's policy (0.5 s doubling to 8 s) with six tries in a row: the waiting code
 * rides out longer outages than a single request does. Its delays are slept on the
 * context's clock, so tests run them at once with a fake one.
 */
export const WAIT_RETRY_POLICY: RetryPolicy = { ...DEFAULT_RETRY_POLICY, attempts: 6 };

/** How long a wait keeps trying a loopback endpoint that refuses connections. */
export const LOOPBACK_GIVE_UP_MS = 5000;

export function isLoopbackEndpoint(endpoint: string): boolean {
  try {
    return isLoopbackHost(new URL(endpoint).hostname);
  } catch {
    return false;
  }
}

/** Interval between status reads while waiting (slept on the context's clock). */
export const POLL_INTERVAL_MS = 1500;

/** Without jitter: a single client reconnecting has no herd to spread out. */
export function reconnectDelay(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * A failure that another try will not fix: the token, a build that is gone, a request the
 * API refuses, stdout closed, a certificate refused. Only an unreachable or failing API (network, 5xx, an odd
 * answer) and errors that are not ours may pass.
 */
export function isPermanent(err: unknown): boolean {
  return err instanceof TlsError || (err instanceof ValarError && !(err instanceof ApiUnreachableError));
}

export function describeError(err: unknown): string {
  if (err instanceof ValarError || err instanceof Error) return err.message;
  return String(err);
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
