import type { Readable } from "node:stream";
import { ApiUnreachableError, AuthError, NotFoundError, OperationError } from "../errors.js";
import type { Validator } from "./validate.js";
import { isRecord } from "./validate.js";

export interface ApiClientOptions {
  /** Base URL, e.g. https://api.valar.dev/v2 (no trailing slash needed). */
  endpoint: string;
  /** Bearer token; absent only for GET /. */
  token?: string;
  userAgent: string;
  /** Receives one line per request/response when --debug is on. */
  debug?: (line: string) => void;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
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
  body: Readable;
}

/**
 * The only module that knows URLs: builds them, authenticates, maps failures to the
 * contract's exit codes. (Retries, timeouts, proxies and --debug tracing: see issue #2.)
 */
export class ApiClient {
  constructor(readonly options: ApiClientOptions) {}

  url(path: readonly string[], query?: Record<string, string>): URL {
    const base = this.options.endpoint.replace(/\/+$/, "");
    const url = new URL(base + "/" + path.map((s) => encodeURIComponent(s)).join("/"));
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
    return url;
  }

  async requestJson<T>(req: JsonRequest<T>): Promise<T> {
    const { request } = await import("undici");
    const url = this.url(req.path, req.query);
    const headers: Record<string, string> = { "user-agent": this.options.userAgent, accept: "application/json" };
    if (req.auth !== false && this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers["content-type"] = "application/json";
    }
    let res;
    try {
      res = await request(url, { method: req.method, headers, body, signal: this.options.signal });
    } catch (err) {
      throw new ApiUnreachableError(`cannot reach ${url.origin}: ${(err as Error).message}`, { cause: err });
    }
    const text = await res.body.text();
    if (res.statusCode >= 400) throw errorForStatus(res.statusCode, text);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ApiUnreachableError(`the API sent a response that is not JSON (HTTP ${res.statusCode})`);
    }
    return req.validate(parsed);
  }

  async upload<T>(req: UploadRequest<T>): Promise<T> {
    const { request } = await import("undici");
    const { createReadStream } = await import("node:fs");
    const url = this.url(req.path);
    const res = await request(url, {
      method: "POST",
      headers: {
        "user-agent": this.options.userAgent,
        authorization: `Bearer ${this.options.token}`,
        "content-type": "application/octet-stream",
        "content-length": String(req.size),
      },
      body: createReadStream(req.file),
      signal: this.options.signal,
    });
    const text = await res.body.text();
    if (res.statusCode >= 400) throw errorForStatus(res.statusCode, text);
    return req.validate(JSON.parse(text));
  }

  async openStream(path: readonly string[], query?: Record<string, string>, signal?: AbortSignal): Promise<StreamResponse> {
    const { request } = await import("undici");
    const url = this.url(path, query);
    const res = await request(url, {
      method: "GET",
      headers: { "user-agent": this.options.userAgent, authorization: `Bearer ${this.options.token}` },
      signal: signal ?? this.options.signal,
    });
    if (res.statusCode >= 400) throw errorForStatus(res.statusCode, await res.body.text());
    return { status: res.statusCode, headers: res.headers, body: res.body };
  }
}

/** The API's `{"error": …}` body, or a generic message when it has none. */
export function errorForStatus(status: number, bodyText: string): Error {
  let message = `HTTP ${status}`;
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (isRecord(parsed) && typeof parsed.error === "string" && parsed.error) message = parsed.error;
  } catch {
    // not JSON: keep the status line
  }
  if (status === 401 || status === 403) {
    return new AuthError(message, { hint: "log in again with `valar auth login` or set VALAR_TOKEN" });
  }
  if (status === 404) return new NotFoundError(message);
  if (status >= 500) return new ApiUnreachableError(`the API failed: ${message} (HTTP ${status})`);
  return new OperationError(message);
}
