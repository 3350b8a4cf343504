import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_RETRY_POLICY, isLastingConnectFailure, isRetryableStatus } from "../../../src/api/retry-policy.js";

describe("backoffDelay", () => {
  const noJitter = () => 0;
  it("starts at 0.5 s and doubles up to 8 s", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(DEFAULT_RETRY_POLICY, n, undefined, noJitter));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });
  it("jitters down by at most 25%", () => {
    expect(backoffDelay(DEFAULT_RETRY_POLICY, 1, undefined, () => 0.999)).toBeGreaterThanOrEqual(375);
    expect(backoffDelay(DEFAULT_RETRY_POLICY, 1, undefined, () => 0.999)).toBeLessThan(500);
  });
  it("honours Retry-After, capped", () => {
    expect(backoffDelay(DEFAULT_RETRY_POLICY, 1, 2000)).toBe(2000);
    expect(backoffDelay(DEFAULT_RETRY_POLICY, 1, 0)).toBe(0);
    expect(backoffDelay(DEFAULT_RETRY_POLICY, 1, 3_600_000)).toBe(DEFAULT_RETRY_POLICY.maxRetryAfterMs);
  });
});

describe("retry policy", () => {
  it("retries 408, 429 and 5xx only", () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 200].some(isRetryableStatus)).toBe(false);
  });
});

describe("isLastingConnectFailure", () => {
  it("a name that does not resolve, and a refusal on loopback, are not worth another try", () => {
    expect(isLastingConnectFailure("ENOTFOUND", "api.example.com")).toBe(true);
    expect(isLastingConnectFailure("EAI_AGAIN", "api.example.com")).toBe(true);
    expect(isLastingConnectFailure("ECONNREFUSED", "127.0.0.1")).toBe(true);
    expect(isLastingConnectFailure("ECONNREFUSED", "localhost")).toBe(true);
    expect(isLastingConnectFailure("ECONNREFUSED", "[::1]")).toBe(true);
  });
  it("a remote refusal, a reset or a timeout may pass", () => {
    expect(isLastingConnectFailure("ECONNREFUSED", "api.example.com")).toBe(false);
    expect(isLastingConnectFailure("ECONNRESET", "127.0.0.1")).toBe(false);
    expect(isLastingConnectFailure("UND_ERR_CONNECT_TIMEOUT", "api.example.com")).toBe(false);
    expect(isLastingConnectFailure(undefined, "127.0.0.1")).toBe(false);
  });
});
