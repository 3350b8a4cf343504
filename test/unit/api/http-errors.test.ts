import { describe, expect, it } from "vitest";
import { errorForStatus, isNotSentError, isTransportError, parseRetryAfter, transportError, abortError } from "../../../src/api/http-errors.js";
import { invalidResponse } from "../../../src/api/validate.js";
import { ApiUnreachableError, AuthError, InterruptedError, NotFoundError, OperationError, WaitTimeoutError } from "../../../src/errors.js";

const body = (error: string) => JSON.stringify({ error });

describe("errorForStatus", () => {
  it.each([
    [401, AuthError, 4],
    [403, AuthError, 4],
    [404, NotFoundError, 5],
    [400, OperationError, 1],
    [409, OperationError, 1],
    [422, OperationError, 1],
    [500, ApiUnreachableError, 6],
    [503, ApiUnreachableError, 6],
  ])("HTTP %i → %o (exit %i)", (status, cls, exit) => {
    const err = errorForStatus(status, body("service not found"));
    expect(err).toBeInstanceOf(cls);
    expect(err.exitCode).toBe(exit);
    expect(err.message).toContain("service not found");
  });

  it("falls back to the status when the body is not an API error", () => {
    expect(errorForStatus(404, "<html>nope</html>").message).toContain("HTTP 404");
    expect(errorForStatus(500, "").message).toContain("HTTP 500");
    expect(errorForStatus(400, '{"error": 3}').message).toContain("HTTP 400");
  });

  it("says how many attempts were made on a 5xx", () => {
    expect(errorForStatus(500, body("internal error"), 4).message).toMatch(/after 4 attempts: internal error \(HTTP 500\)/);
  });

  it("a redirect or other unexpected status is exit 6", () => {
    expect(errorForStatus(302, "").exitCode).toBe(6);
  });
});

describe("API error messages", () => {
  it("are one line, whatever the server sent", () => {
    expect(errorForStatus(400, body("bad\n  request\r\n")).message).toBe("bad request (HTTP 400)");
  });

  it("never carry the token back, even when the server echoes it", () => {
    const err = errorForStatus(401, body("token s3cr3t-t0k3n is invalid (s3cr3t-t0k3n)"), 1, "s3cr3t-t0k3n");
    expect(err.message).toBe("not authenticated: token *** is invalid (***)");
  });
});

describe("transport errors", () => {
  const url = new URL("https://api.valar.dev/v2/users/info");
  const withCode = (code: string) => Object.assign(new Error("boom"), { code });

  it.each([
    ["ECONNREFUSED", "connection refused"],
    ["ECONNRESET", "connection reset"],
    ["UND_ERR_HEADERS_TIMEOUT", "no answer in time"],
    ["UND_ERR_BODY_TIMEOUT", "stalled"],
    ["ENOTFOUND", "host not found"],
  ])("%s → exit 6 naming the host", (code, text) => {
    const err = transportError(withCode(code), url, 30_000);
    expect(err).toBeInstanceOf(ApiUnreachableError);
    expect(err.message).toContain("api.valar.dev");
    expect(err.message).toContain(text);
  });

  it("finds the code on a wrapped cause", () => {
    const wrapped = new Error("fetch failed", { cause: withCode("ECONNREFUSED") });
    expect(transportError(wrapped, url).message).toContain("connection refused");
    expect(isNotSentError(wrapped)).toBe(true);
  });

  it("tells a failure to get an answer from a strange answer (both exit 6)", () => {
    const failed = transportError(withCode("ECONNRESET"), url);
    failed.message += " (after 4 attempts)";
    expect(isTransportError(failed)).toBe(true);
    expect(isTransportError(errorForStatus(502, ""))).toBe(false);
    expect(isTransportError(invalidResponse("the user info is not an object"))).toBe(false);
    expect(isTransportError(new Error("cannot reach the API at x: y"))).toBe(false);
  });

  it("only refused/unresolved connections count as never sent", () => {
    expect(isNotSentError(withCode("ECONNREFUSED"))).toBe(true);
    expect(isNotSentError(withCode("ENOTFOUND"))).toBe(true);
    expect(isNotSentError(withCode("ECONNRESET"))).toBe(false);
    expect(isNotSentError(withCode("UND_ERR_HEADERS_TIMEOUT"))).toBe(false);
    expect(isNotSentError(new Error("x"))).toBe(false);
  });

  it("an aborted signal keeps our own reason, else is an interruption", () => {
    const a = new AbortController();
    a.abort(new WaitTimeoutError("timed out"));
    expect(abortError(a.signal)).toBeInstanceOf(WaitTimeoutError);
    const b = new AbortController();
    b.abort();
    expect(abortError(b.signal)).toBeInstanceOf(InterruptedError);
    expect((abortError(b.signal) as InterruptedError).exitCode).toBe(130);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  it("reads delta-seconds", () => {
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter(["2", "5"], now)).toBe(2000);
  });
  it("reads an HTTP date", () => {
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:59:00 GMT", now)).toBe(0);
  });
  it("ignores absent or garbage values", () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-1", now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
  });
});
