import { createReadStream } from "node:fs";
import { Transform, type Readable } from "node:stream";
import { request, type Dispatcher, type ResponseData } from "./undici.js";
import { ApiUnreachableError, AuthError, UsageError, ValarError } from "../errors.js";
import { parseEndpoint } from "./endpoint.js";
import {
  abortError,
  ATTEMPT_TIMEOUT,
  clientTransportFailure,
  errorCode,
  errorForStatus,
  isNotSentError,
  parseRetryAfter,
  tlsError,
  transportError,
  PROXY_HANGS_UP,
} from "./http-errors.js";
import { backoffDelay, DEFAULT_RETRY_POLICY, isLastingConnectFailure, isRefusalStatus, isRetryableStatus, type RetryPolicy } from "./retry-policy.js";
import { NOT_V2_HINT, type Validator } from "./validate.js";
import { JsonDepthGuard, MAX_JSON_DEPTH } from "./json-depth.js";
import { sleep } from "../util/sleep.js";

export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Connections one attempt through a proxy may open: two for a tunnel (to the proxy, then
 * through it), three tunnels' worth when other requests open theirs meanwhile. More means
 * the proxy drops every one and undici keeps reconnecting.
 */
const MAX_CONNECTS_PER_ATTEMPT = 6;

/** Characters a Bearer token may hold: it travels in an HTTP header, on one line. */
const TOKEN_CHARS = /^[\x21-\x7e]*$/;

/**
 * The largest JSON answer read: far above any list the API sends, far below what would
 * exhaust memory or a string's length. Counted as the bytes arrive, never buffered past it.
 */
const MAX_JSON_BYTES = 32 * 1024 * 1024;

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
  /** Where the token came from (`VALAR_TOKEN`, `the stored config`…); absent: given by hand. */
  tokenSource?: string;
  /** Where the endpoint came from (`--endpoint`, `VALAR_ENDPOINT`, `the stored config`…), for hints. */
  endpointSource?: string;
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
  /** `progress` is called as a streamed body is taken: the attempt's deadline starts again. */
  body?: (progress: () => void) => string | Readable;
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
  private proxy?: Promise<Proxy>;

  constructor(readonly options: ApiClientOptions) {
    // Refused here, before any request: the token must never travel in clear text.
    this.endpointUrl = parseEndpoint(options.endpoint);
    if (options.token !== undefined && !TOKEN_CHARS.test(options.token)) throw unusableToken(options.token, options.tokenSource);
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
      body: (progress) => {
        const file = createReadStream(req.file);
        const onProgress = req.onProgress;
        let sent = 0;
        onProgress?.(0, req.size);
        // Counted as undici pulls the bytes, so the bar follows the socket, not the disk; and
        // so a slow upload is not taken for a server that does not answer.
        const counter = new Transform({
          transform(chunk: Buffer, _enc, done) {
            sent += chunk.length;
            progress();
            onProgress?.(sent, req.size);
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
          throw errorForStatus(res.statusCode, (await readText(res, url)) ?? "", attempts, this.options.token, this.options.tokenHint);
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
  private getProxy(): Promise<Proxy> | undefined {
    const proxy = this.options.proxy;
    if (!proxy || !(proxy.httpProxy || proxy.httpsProxy)) return undefined;
    return (this.proxy ??= import("./proxy-agent.js").then((m) => ({ agent: m.proxyAgent({ ...proxy }), watchConnects: m.watchConnects })));
  }

  /**
   * One attempt, under a deadline that covers connecting — a proxy's CONNECT included — and
   * the response headers. undici's own headersTimeout starts only once the request is
   * written, and it fails a request aborted before it has a connection only when it gets
   * one (a CONNECT a proxy never answers: never). So the deadline and Ctrl-C are raced
   * against the request, and a proxy agent left with such a request is destroyed, which
   * also ends undici's reconnecting for it. While an upload's bytes are taken, the
   * deadline starts again with each piece: it is the time without progress.
   */
  private async attempt<R>(x: Exchange<R>, proxy: Proxy | undefined): Promise<ResponseData> {
    const deadline = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const arm = () => {
      if (settled) return;
      clearTimeout(timer);
      timer = setTimeout(() => deadline.abort(clientTransportFailure(ATTEMPT_TIMEOUT)), this.timeoutMs);
    };
    arm();
    let connects = 0;
    const unwatch = proxy?.watchConnects(() => {
      if (++connects > MAX_CONNECTS_PER_ATTEMPT) deadline.abort(clientTransportFailure(PROXY_HANGS_UP));
    });
    const signal = x.signal ? AbortSignal.any([x.signal, deadline.signal]) : deadline.signal;
    const sent = request(x.url, {
      method: x.method,
      headers: x.headers,
      body: x.body?.(arm),
      signal,
      dispatcher: proxy?.agent,
      headersTimeout: this.timeoutMs,
      bodyTimeout: x.bodyTimeoutMs,
    });
    try {
      return await untilAborted(sent, signal);
    } catch (err) {
      if (!signal.aborted) throw err;
      sent.then(
        (res) => res.body.destroy(),
        () => undefined,
      );
      if (proxy) this.dropProxy(proxy);
      throw deadline.signal.aborted && !x.signal?.aborted ? deadline.signal.reason : err;
    } finally {
      settled = true;
      clearTimeout(timer);
      unwatch?.();
    }
  }

  /** Destroys a proxy agent that may hold a request forever; the next attempt makes another. */
  private dropProxy(proxy: Proxy): void {
    void this.proxy?.then((current) => {
      if (current === proxy) this.proxy = undefined;
    });
    proxy.agent.destroy().catch(() => undefined);
  }

  private trace(line: string): void {
    this.options.debug?.(line);
  }

  private async exchange<R>(x: Exchange<R>): Promise<R> {
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
        const res = await this.attempt(x, await this.getProxy());
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
        const lasting = isLastingConnectFailure(errorCode(err), x.url.hostname);
        const retryable = !lasting && (x.retry === "idempotent" || isNotSentError(err));
        if (!retryable || attempt >= policy.attempts) {
          const failure = transportError(err, x.url, this.timeoutMs, this.options.endpointSource);
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

interface Proxy {
  agent: Dispatcher;
  watchConnects: (onConnect: () => void) => () => void;
}

/** The promise's outcome, or the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    const done = () => signal.removeEventListener("abort", onAbort);
    promise.then(
      (value) => {
        done();
        resolve(value);
      },
      (err: unknown) => {
        done();
        reject(err);
      },
    );
  });
}

/**
 * A token no HTTP header can carry (a line break, a control or non-ASCII character): a
 * token problem, said as one before anything is sent, never as an unreachable API.
 * The token itself is never quoted.
 */
function unusableToken(token: string, source: string | undefined): AuthError {
  const what = /[\r\n]/.test(token) ? "a line break" : /[\x00-\x20\x7f]/.test(token) ? "a space or control character" : "a non-ASCII character";
  const fix = !source
    ? "paste the token alone, on one line"
    : source === "the stored config"
      ? "log in again with `valar auth login`"
      : `correct it there`;
  return new AuthError(`the token cannot be sent: it contains ${what}`, { hint: source ? `the token comes from ${source}: ${fix}` : fix });
}

function tooLarge(url: URL): ApiUnreachableError {
  return new ApiUnreachableError(`response too large: the API at ${url.host} sent more than ${MAX_JSON_BYTES / (1024 * 1024)} MiB`, {
    hint: "check the endpoint (valar config get endpoint); narrow the request, e.g. with a build ID prefix",
  });
}

/**
 * The body as text, up to MAX_JSON_BYTES (exit 6 past it, the rest never read), or
 * undefined when it nests arrays or objects deeper than any JSON answer may (json-depth.ts;
 * the rest is not read either). Its chunks are views of memory the socket reuses
 * (read-ring.ts): they are copied to be kept. Resolves a turn of the event loop after the
 * body's end, when undici has put the connection back in its pool: the command's next
 * request (a log after the build's lookup) then reuses it instead of opening another — a
 * TLS handshake less to a remote API.
 */
async function readText(res: ResponseData, url: URL): Promise<string | undefined> {
  const declared = Number(res.headers["content-length"]);
  if (declared > MAX_JSON_BYTES) {
    res.body.destroy();
    throw tooLarge(url);
  }
  const chunks: Buffer[] = [];
  const depth = new JsonDepthGuard();
  let total = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAX_JSON_BYTES) {
      res.body.destroy();
      throw tooLarge(url);
    }
    if (!depth.feed(chunk)) {
      res.body.destroy();
      return undefined;
    }
    chunks.push(Buffer.from(chunk));
  }
  await new Promise((resolve) => setImmediate(resolve));
  return Buffer.concat(chunks, total).toString("utf8");
}

async function parseJson<T>(res: ResponseData, url: URL, attempts: number, validate: Validator<T>, options: ApiClientOptions): Promise<T> {
  const text = await readText(res, url);
  // An error's body nested too deep is one without a message: the status speaks for itself.
  if (res.statusCode >= 300 || res.statusCode < 200) throw errorForStatus(res.statusCode, text ?? "", attempts, options.token, options.tokenHint);
  if (text === undefined) {
    throw new ApiUnreachableError(`the API sent JSON nested more than ${MAX_JSON_DEPTH} levels deep (HTTP ${res.statusCode})`, { hint: NOT_V2_HINT });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const type = String(res.headers["content-type"] ?? "no content type").split(";")[0];
    throw new ApiUnreachableError(`the API sent a response that is not JSON (HTTP ${res.statusCode}, ${type})`, { hint: NOT_V2_HINT });
  }
  return validate(parsed);
}
