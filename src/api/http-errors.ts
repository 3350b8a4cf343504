import { ApiUnreachableError, AuthError, InterruptedError, NotFoundError, OperationError, TlsError, ValarError } from "../errors.js";
import { isRecord } from "./validate.js";
import { isLoopbackHost } from "./endpoint.js";
import { oneLine } from "../output/text.js";

const ENDPOINT_HINT = "check the endpoint (valar config get endpoint) and your network";

/**
 * The `error` field of an API error body, on one line (errors are one line), or undefined
 * when the body has none. A server that echoes the bearer token back must not make us
 * print it: `secret` is masked.
 */
function apiErrorMessage(bodyText: string, secret?: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (isRecord(parsed) && typeof parsed.error === "string") {
      let message = oneLine(parsed.error);
      if (secret) message = message.split(secret).join("***");
      if (message) return message;
    }
  } catch {
    // not JSON (an HTML error page from a proxy, say): the status speaks for itself
  }
  return undefined;
}

/**
 * The contract's exit code for an HTTP status: 401/403 → 4, 404 → 5, other 4xx → 1,
 * 5xx → 6. `attempts` > 1 says the request was retried before giving up. `tokenHint`
 * replaces the generic 401 hint with one naming where the token came from.
 */
export function errorForStatus(status: number, bodyText: string, attempts = 1, secret?: string, tokenHint?: string): ValarError {
  const apiMessage = apiErrorMessage(bodyText, secret);
  if (status === 401) {
    return new AuthError(apiMessage ? `not authenticated: ${apiMessage}` : "not authenticated (HTTP 401)", {
      hint: tokenHint ?? "log in again with `valar auth login` or set VALAR_TOKEN",
    });
  }
  if (status === 403) {
    return new AuthError(apiMessage ? `not allowed: ${apiMessage}` : "not allowed (HTTP 403)", {
      hint: "check that your user has access to this project (valar auth status)",
    });
  }
  if (status === 404) {
    return new NotFoundError(apiMessage ?? "not found (HTTP 404)", apiMessage ? {} : { hint: ENDPOINT_HINT });
  }
  if (status >= 500) {
    const after = attempts > 1 ? ` after ${attempts} attempts` : "";
    return new ApiUnreachableError(`the API failed${after}: ${apiMessage ?? "no error message"} (HTTP ${status})`, {
      hint: "try again later",
    });
  }
  if (status >= 400) return new OperationError(apiMessage ? `${apiMessage} (HTTP ${status})` : `the API refused the request (HTTP ${status})`);
  return new ApiUnreachableError(`the API sent an unexpected HTTP ${status}`, { hint: ENDPOINT_HINT });
}

/** Error codes of the client's own: an attempt's deadline, and a proxy that hangs up on every CONNECT. */
export const ATTEMPT_TIMEOUT = "VALAR_ATTEMPT_TIMEOUT";
export const PROXY_HANGS_UP = "VALAR_PROXY_HANGS_UP";

const TRANSPORT_MESSAGES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection closed",
  ETIMEDOUT: "connection timed out",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  UND_ERR_HEADERS_TIMEOUT: "no answer in time",
  UND_ERR_BODY_TIMEOUT: "the answer stalled",
  UND_ERR_SOCKET: "connection closed",
  UND_ERR_CLOSED: "connection closed",
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: "the upload was cut short",
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: "the answer was cut short",
  [ATTEMPT_TIMEOUT]: "no answer in time",
  [PROXY_HANGS_UP]: "the proxy keeps closing the connection",
};

/** A transport failure of the client's own making, with one of the codes above. */
export function clientTransportFailure(code: typeof ATTEMPT_TIMEOUT | typeof PROXY_HANGS_UP): Error {
  return Object.assign(new Error(TRANSPORT_MESSAGES[code]), { code });
}

/** Errors whose request provably never left this machine: safe to retry even for a submit. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);

export function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

export function isNotSentError(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && NOT_SENT_CODES.has(code);
}

const TRANSPORT_PREFIX = "cannot reach the API at ";

/** Certificate verdicts of Node's TLS (OpenSSL's names), in words. */
const CERTIFICATE_PROBLEMS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "its TLS certificate is self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "its TLS certificate is signed by an untrusted (self-signed) CA",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "its TLS certificate's issuer is not trusted",
  UNABLE_TO_GET_ISSUER_CERT: "its TLS certificate's issuer is not trusted",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "its TLS certificate's issuer is not trusted",
  CERT_UNTRUSTED: "its TLS certificate is not trusted",
  CERT_HAS_EXPIRED: "its TLS certificate has expired",
  CERT_NOT_YET_VALID: "its TLS certificate is not valid yet",
  CERT_REVOKED: "its TLS certificate was revoked",
  CERT_SIGNATURE_FAILURE: "its TLS certificate's signature is invalid",
  ERR_TLS_CERT_ALTNAME_INVALID: "its TLS certificate is for another host name",
};

/**
 * A certificate or TLS protocol failure: not transient (another try meets the same
 * certificate), so never retried, and said in one line instead of OpenSSL's text.
 */
export function tlsError(err: unknown, url: URL): TlsError | undefined {
  const code = errorCode(err);
  if (!code) return undefined;
  const certificate = CERTIFICATE_PROBLEMS[code];
  if (certificate) {
    return new TlsError(`${TRANSPORT_PREFIX}${url.host}: ${certificate}`, {
      hint: "if the server uses a private CA, point NODE_EXTRA_CA_CERTS at that CA's certificate (a PEM file)",
      cause: err,
    });
  }
  if (code.startsWith("ERR_SSL_") || code === "EPROTO") {
    // ERR_SSL_WRONG_VERSION_NUMBER → "wrong version number": OpenSSL's reason, without its file and line.
    const reason = code === "EPROTO" ? "protocol error" : code.slice("ERR_SSL_".length).toLowerCase().replace(/_/g, " ");
    return new TlsError(`${TRANSPORT_PREFIX}${url.host}: the TLS handshake failed (${reason})`, {
      hint: "check that the endpoint speaks https on that port (valar config get endpoint)",
      cause: err,
    });
  }
  return undefined;
}

/**
 * A transport failure (refused, reset, timeout…) as exit 6, naming the host. `endpointSource`
 * says where the endpoint came from (`--endpoint`, `VALAR_ENDPOINT`, the stored config…), so
 * the hint points where it can be changed.
 */
export function transportError(err: unknown, url: URL, timeoutMs?: number, endpointSource?: string): ApiUnreachableError {
  const code = errorCode(err);
  let reason = (code && TRANSPORT_MESSAGES[code]) ?? ((err as Error)?.message || "unknown network error");
  if ((code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === ATTEMPT_TIMEOUT) && timeoutMs) {
    reason += ` (timeout ${formatSeconds(timeoutMs)})`;
  }
  return new ApiUnreachableError(`${TRANSPORT_PREFIX}${url.host}: ${reason}`, { hint: transportHint(code, url, endpointSource), cause: err });
}

function transportHint(code: string | undefined, url: URL, source: string | undefined): string {
  const where =
    !source || source === "the default" ? "" : source === "the stored config" ? " (valar config get endpoint)" : ` (it comes from ${source})`;
  if (code === "ECONNREFUSED" && isLoopbackHost(url.hostname)) {
    return `is \`valar sandbox\` running? Nothing listens on ${url.host}; check the endpoint${where}`;
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `check the endpoint's host name${where} and your DNS`;
  return source ? `check the endpoint${where} and your network` : ENDPOINT_HINT;
}

/** Whether an error is transportError's: no answer came, as opposed to a strange one. */
export function isTransportError(err: unknown): boolean {
  return err instanceof ApiUnreachableError && err.message.startsWith(TRANSPORT_PREFIX);
}

/**
 * What an aborted signal means to the user: its reason when that is one of ours (Ctrl-C
 * sends an InterruptedError, a --timeout its own), else a plain interruption.
 */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof ValarError) return reason;
  return new InterruptedError();
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date; undefined when absent/invalid. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}
