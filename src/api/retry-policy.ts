import { isLoopbackHost } from "./endpoint.js";

/**
 * When and how long to wait before sending a request again (after Cloudflare's SDK):
 * 0.5 s doubling to 8 s with up to 25% jitter, Retry-After honoured up to a cap.
 */
export interface RetryPolicy {
  /** Total attempts, the first one included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is cut down to it. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 30_000,
};

/**
 * Connection failures another try a moment later would meet again, so no command retries
 * them: a host name that does not resolve (a DNS answer is cached, and a typo stays one),
 * and a refused connection on loopback, where nothing is between us and the port (the local
 * server is not running). A refusal from a remote host may be a restarting load balancer.
 */
export function isLastingConnectFailure(code: string | undefined, hostname: string): boolean {
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return true;
  return code === "ECONNREFUSED" && isLoopbackHost(hostname);
}

/** Statuses worth another try: the server may answer differently in a moment. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Statuses that say "not now" before anything was taken: even a non-idempotent request may be sent again. */
export function isRefusalStatus(status: number): boolean {
  return status === 429 || status === 503;
}

/**
 * Milliseconds to wait after failed attempt number `attempt` (1-based). `random` is
 * injectable so tests can pin the jitter.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  const exponential = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  return Math.round(exponential * (1 - random() * 0.25));
}
