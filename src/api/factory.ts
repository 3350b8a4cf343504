import { ApiClient, DEFAULT_TIMEOUT_MS, type ApiClientOptions, type ProxySettings } from "./client.js";
import { DEFAULT_RETRY_POLICY } from "./retry-policy.js";

export interface ClientEnvironment {
  env: NodeJS.ProcessEnv;
  version: string;
  signal?: AbortSignal;
  sleep?: ApiClientOptions["sleep"];
  debug?: (line: string) => void;
  /** Send each request once (completion has no time for backoff). */
  noRetry?: boolean;
}

/** VALAR_HTTP_TIMEOUT in seconds (fractions allowed), else 30 s. */
export function timeoutFromEnv(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.VALAR_HTTP_TIMEOUT);
  if (!env.VALAR_HTTP_TIMEOUT || !Number.isFinite(seconds) || seconds <= 0) return DEFAULT_TIMEOUT_MS;
  return Math.round(seconds * 1000);
}

/** The standard proxy variables (lower case first, as curl reads them); undefined when none is set. */
export function proxyFromEnv(env: NodeJS.ProcessEnv): ProxySettings | undefined {
  const httpsProxy = env.https_proxy || env.HTTPS_PROXY || undefined;
  const httpProxy = env.http_proxy || env.HTTP_PROXY || undefined;
  if (!httpsProxy && !httpProxy) return undefined;
  return { httpsProxy, httpProxy, noProxy: env.no_proxy || env.NO_PROXY || "" };
}

/** Where a client's endpoint and token came from, for its hints (ApiClientOptions). */
export type ClientSources = Pick<ApiClientOptions, "tokenHint" | "tokenSource" | "endpointSource">;

/** An ApiClient configured from the process environment (timeouts, retries, proxies). */
export function createApiClient(base: ClientEnvironment, endpoint: string, token?: string, sources: ClientSources = {}): ApiClient {
  return new ApiClient({
    endpoint,
    token,
    ...sources,
    userAgent: `valar-cli/${base.version} node/${process.versions.node} (${process.platform})`,
    debug: base.debug,
    signal: base.signal,
    sleep: base.sleep,
    timeoutMs: timeoutFromEnv(base.env),
    retry: base.noRetry ? { ...DEFAULT_RETRY_POLICY, attempts: 1 } : DEFAULT_RETRY_POLICY,
    proxy: proxyFromEnv(base.env),
  });
}
