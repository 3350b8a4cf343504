import { createReadStream } from "node:fs";
import { Transform, type Readable } from "node:stream";
import { request, type Dispatcher, type ResponseData } from "./undici.js";
import { ApiUnreachableError, UsageError, ValarError } from "../errors.js";
import { parseEndpoint } from "./endpoint.js";
import { abortError, errorForStatus, isNotSentError, parseRetryAfter, tlsError, transportError } from "./http-errors.js";
import { backoffDelay, DEFAULT_RETRY_POLICY, isRefusalStatus, isRetryableStatus, type RetryPolicy } from "./retry.js";
import { NOT_V2_HINT, type Validator } from "./validate.js";
import { sleep } from "../util/sleep.js";

export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The largest JSON answer read: far above any list the API sends, far below what would
 * exhaust memory or a string's length. Counted as the bytes arrive, never buffered past it.
 */
export const MAX_JSON_BYTES = 32 * 1024 * 1024;

export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
}

export interface ApiClientOptions {
  /** Base URL, e.g. https://api.valar.dev/v2 (no trailing slash needed). */
  endpoint: string;
  /** Bearer token; absent only for GET /. */
  token?: string;
  /** The hint of a 401: what to do about this token, given where it came from. */
  tokenHint?: string;
  userAgent: string;
  /** Receives one line per request/response when --debug is on. */
  debug?: (line: string) => void;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
  /** Headers and body timeout of JSON requests; headers timeout only for streams. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Waits between attempts; rejects with the signal's reason when it aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source, injectable so tests can pin delays. */
  random?: () => number;
  /** From HTTPS_PROXY / HTTP_PROXY / NO_PROXY; absent: connect directly. */
  proxy?: ProxySettings;
}

export interface JsonRequest<T> {
  method: "GET" | "POST";
  /** Path segments after the endpoint; each one is percent-encoded. */
  path: readonly string[];
  query?: Record<string, string>;
  body?: unknown;
  validate: Validator<T>;
  /** GET / is the only request sent without a token. */
  auth?: boolean;
  /**
   * Whether sending the request twice is harmless (default: true for GET, false for POST).
   * A request that is not is retried only when it provably never left (connection refused).
   */
  idempotent?: boolean;
}

export interface UploadRequest<T> {
  path: readonly string[];
  /** A file on disk: streamed, never read whole into memory. */
  file: string;
  size: number;
  validate: Validator<T>;
  onProgress?: (sentBytes: number, totalBytes: number) => void;
}

export interface StreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /**
   * Its chunks are views of memory the socket reuses (read-ring.ts): handle them as they
   * come, within the stream's flow control, or copy what is kept.
   */
  body: Readable;
}

/**
 * idempotent: any transient failure; not-sent-only: only when the request provably never
 * left; refused: that, or a 429/503 answer (the server took nothing of it: an upload).
 */
type RetryMode = "idempotent" | "not-sent-only" | "refused";

interface Exchange<R> {
  method: "GET" | "POST";
  url: URL;
  headers: Record<string, string>;
  body?: () => string | Readable;
  retry: RetryMode;
  /** 0: the body may stay quiet forever (followed logs). */
  bodyTimeoutMs: number;
  signal?: AbortSignal;
  /** Turns a final response into the result; may read the body. */
  handle: (res: ResponseData, attempts: number, url: URL) => Promise<R>;
}

/**
 * The only module that knows URLs: builds them, authenticates, retries what is safe to
 * retry, times out stalled requests, traces under --debug (token redacted) and turns every
 * failure into a typed error carrying the contract's exit code.
 */
export class ApiClient {
  private readonly endpointUrl: URL;
  private dispatcher?: Promise<Dispatcher>;

  constructor(readonly options: ApiClientOptions) {
    // Refused here, before any request: the token must never travel in clear text.
    this.endpointUrl = parseEndpoint(options.endpoint);
  }

  get timeoutMs(): number {
    return this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /**
   * The same client under a deadline of its own instead of the Ctrl-C signal (a last
   * request after the wait was interrupted, a lookup that must not hold up the exit);
   * `once`: one try, no backoff.
   */
  withDeadline(ms: number, options: { once?: boolean } = {}): ApiClient {
    const retry = options.once ? { ...(this.options.retry ?? DEFAULT_RETRY_POLICY), attempts: 1 } : this.options.retry;
    return new ApiClient({ ...this.options, signal: AbortSignal.timeout(ms), retry });
  }

  url(path: readonly string[], query?: Record<string, string>): URL {
    for (const segment of path) {
      // "." and ".." (even percent-encoded) are resolved away by URL parsing.
      if (segment === "" || segment === "." || segment === "..") {
        throw new UsageError(`invalid path segment "${segment}"`);
      }
    }
    const base = this.endpointUrl.href.replace(/\/+$/, "");
    const url = new URL(base + "/" + path.map((s) => encodeURIComponent(s)).join("/"));
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
    return url;
  }

  async requestJson<T>(req: JsonRequest<T>): Promise<T> {
    const headers = this.headers(req.auth !== false);
    headers.accept = "application/json";
    let text: string | undefined;
    if (req.body !== undefined) {
      text = JSON.stringify(req.body);
      headers["content-type"] = "application/json";
    }
    const idempotent = req.idempotent ?? req.method === "GET";
    return this.exchange({
      method: req.method,
      url: this.url(req.path, req.query),
      headers,
      body: text === undefined ? undefined : () => text,
      retry: idempotent ? "idempotent" : "not-sent-only",
      bodyTimeoutMs: this.timeoutMs,
      signal: this.options.signal,
      handle: async (res, attempts, url) => parseJson(res, url, attempts, req.validate, this.options),
    });
  }

  async upload<T>(req: UploadRequest<T>): Promise<T> {
    const headers = this.headers(true);
    headers.accept = "application/json";
    headers["content-type"] = "application/octet-stream";
    headers["content-length"] = String(req.size);
    return this.exchange({
      method: "POST",
      url: this.url(req.path),
      headers,
      body: () => {
        const file = createReadStream(req.file);
        if (!req.onProgress) return file;
        const onProgress = req.onProgress;
        let sent = 0;
        onProgress(0, req.size);
        // Counted as undici pulls the bytes, so the bar follows the socket, not the disk.
        const counter = new Transform({
          transform(chunk: Buffer, _enc, done) {
            sent += chunk.length;
            onProgress(sent, req.size);
            done(null, chunk);
          },
        });
        file.on("error", (err) => counter.destroy(err));
        return file.pipe(counter);
      },
      // An upload is not idempotent: sent again only when nothing of it was accepted.
      retry: "refused",
      bodyTimeoutMs: this.timeoutMs,
      signal: this.options.signal,
      handle: async (res, attempts, url) => parseJson(res, url, attempts, req.validate, this.options),
    });
  }

  /**
   * A GET whose body is handed over as a stream (logs). Only the headers may time out:
   * a followed log can stay quiet for minutes. 4xx/5xx throw like requestJson; a failure
   * to connect is an ApiUnreachableError (the log follower reconnects on those).
   */
  async openStream(path: readonly string[], query?: Record<string, string>, signal?: AbortSignal): Promise<StreamResponse> {
    const combined = signal && this.options.signal ? AbortSignal.any([signal, this.options.signal]) : (signal ?? this.options.signal);
    const headers = this.headers(true);
    headers.accept = "text/plain";
    return this.exchange({
      method: "GET",
      url: this.url(path, query),
      headers,
      retry: "idempotent",
      bodyTimeoutMs: 0,
      signal: combined,
      handle: async (res, attempts, url) => {
        if (res.statusCode >= 300) {
          throw errorForStatus(res.statusCode, await readText(res, url), attempts, this.options.token, this.options.tokenHint);
        }
        return { status: res.statusCode, headers: res.headers, body: res.body };
      },
    });
  }

  private headers(auth: boolean): Record<string, string> {
    const headers: Record<string, string> = { "user-agent": this.options.userAgent };
    if (auth && this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    return headers;
  }

  /** The proxy agent when a proxy is set (its code loaded then); else the default one. */
  private getDispatcher(): Promise<Dispatcher> | undefined {
    const proxy = this.options.proxy;
    if (!proxy || !(proxy.httpProxy || proxy.httpsProxy)) return undefined;
    return (this.dispatcher ??= import("./proxy-agent.js").then((m) => m.proxyAgent({ ...proxy })));
  }

  private trace(line: string): void {
    this.options.debug?.(line);
  }

  private async exchange<R>(x: Exchange<R>): Promise<R> {
    const dispatcher = await this.getDispatcher();
    const policy = this.options.retry ?? DEFAULT_RETRY_POLICY;
    const pause = this.options.sleep ?? sleep;
    for (let attempt = 1; ; attempt++) {
      if (x.signal?.aborted) throw abortError(x.signal);
      const started = Date.now();
      this.trace(`→ ${x.method} ${x.url.href}`);
      for (const [name, value] of Object.entries(x.headers)) {
        this.trace(`  ${name}: ${name === "authorization" ? "Bearer ***" : value}`);
      }
      let retryAfterMs: number | undefined;
      try {
        const res = await request(x.url, {
          method: x.method,
          headers: x.headers,
          body: x.body?.(),
          signal: x.signal,
          dispatcher,
          headersTimeout: this.timeoutMs,
          bodyTimeout: x.bodyTimeoutMs,
        });
        this.trace(`← ${res.statusCode} ${x.method} ${x.url.href} (${Date.now() - started} ms)`);
        const retryable = x.retry === "idempotent" ? isRetryableStatus(res.statusCode) : x.retry === "refused" && isRefusalStatus(res.statusCode);
        if (!retryable || attempt >= policy.attempts) return await x.handle(res, attempt, x.url);
        retryAfterMs = parseRetryAfter(res.headers["retry-after"]);
        await res.body.dump().catch(() => undefined);
      } catch (err) {
        if (x.signal?.aborted) throw abortError(x.signal);
        if (err instanceof ValarError) throw err;
        const code = (err as { code?: string }).code ?? (err as Error).name;
        this.trace(`✗ ${x.method} ${x.url.href}: ${code} (${Date.now() - started} ms)`);
        const tls = tlsError(err, x.url);
        if (tls) throw tls;
        const retryable = x.retry === "idempotent" || isNotSentError(err);
        if (!retryable || attempt >= policy.attempts) {
          const failure = transportError(err, x.url, this.timeoutMs);
          if (attempt > 1) failure.message += ` (after ${attempt} attempts)`;
          throw failure;
        }
      }
      const delay = backoffDelay(policy, attempt, retryAfterMs, this.options.random);
      this.trace(`retrying in ${delay} ms (attempt ${attempt + 1} of ${policy.attempts})`);
      try {
        await pause(delay, x.signal);
      } catch (err) {
        if (x.signal?.aborted) throw abortError(x.signal);
        throw err;
      }
    }
  }
}

function tooLarge(url: URL): ApiUnreachableError {
  return new ApiUnreachableError(`response too large: the API at ${url.host} sent more than ${MAX_JSON_BYTES / (1024 * 1024)} MiB`, {
    hint: "check the endpoint (valar config get endpoint); narrow the request, e.g. with a build ID prefix",
  });
}

/**
 * The body as text, up to MAX_JSON_BYTES (exit 6 past it, the rest never read). Its chunks
 * are views of memory the socket reuses (read-ring.ts): they are copied to be kept. Resolves
 * a turn of the event loop after the body's end, when undici has put the connection back in
 * its pool: the command's next request (a log after the build's lookup) then reuses it
 * instead of opening another — a TLS handshake less to a remote API.
 */
async function readText(res: ResponseData, url: URL): Promise<string> {
  const declared = Number(res.headers["content-length"]);
  if (declared > MAX_JSON_BYTES) {
    res.body.destroy();
    throw tooLarge(url);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAX_JSON_BYTES) {
      res.body.destroy();
      throw tooLarge(url);
    }
    chunks.push(Buffer.from(chunk));
  }
  await new Promise((resolve) => setImmediate(resolve));
  return Buffer.concat(chunks, total).toString("utf8");
}

async function parseJson<T>(res: ResponseData, url: URL, attempts: number, validate: Validator<T>, options: ApiClientOptions): Promise<T> {
  const text = await readText(res, url);
  if (res.statusCode >= 300 || res.statusCode < 200) throw errorForStatus(res.statusCode, text, attempts, options.token, options.tokenHint);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const type = String(res.headers["content-type"] ?? "no content type").split(";")[0];
    throw new ApiUnreachableError(`the API sent a response that is not JSON (HTTP ${res.statusCode}, ${type})`, { hint: NOT_V2_HINT });
  }
  return validate(parsed);
}
