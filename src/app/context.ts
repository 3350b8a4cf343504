import type { IOStreams } from "../output/io.js";
import type { Settings } from "../settings/settings-types.js";
import type { ApiClient } from "../api/client.js";
import type { BuildsApi } from "../api/builds.js";

/** Options every command accepts (declared once on the root program). */
export interface GlobalOptions {
  debug: boolean;
  endpoint?: string;
  project?: string;
  service?: string;
}

export interface ClientOverride {
  endpoint?: string;
  token?: string;
  /** Aborts the client's requests besides Ctrl-C (e.g. a deadline). */
  signal?: AbortSignal;
  /** Send each request once: no retries, no backoff. */
  noRetry?: boolean;
}

export interface Clock {
  now: () => number;
  /** Resolves after ms, or rejects with the signal's reason when it aborts first. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * The injected world of a command: streams, environment, settings, API access, time and
 * the Ctrl-C signal. Commands read nothing global; tests can build their own Ctx.
 */
export interface Ctx {
  io: IOStreams;
  env: NodeJS.ProcessEnv;
  cwd: string;
  clock: Clock;
  globals: GlobalOptions;
  /** Aborted when the user presses Ctrl-C (reason: an InterruptedError). */
  signal: AbortSignal;
  /** Resolved settings (flags > env > .valar.yml > stored > Go CLI config > default); cached. */
  settings(): Promise<Settings>;
  /**
   * An API client for the endpoint with the token; exit 4 when there is no token, exit 2
   * for an endpoint that is not a URL or plain http to a non-loopback host. `override`
   * (not cached) lets `auth login` check a token that is not stored yet, and completion
   * ask once under a deadline of its own.
   */
  client(override?: ClientOverride): Promise<ApiClient>;
  /** The builds API of the resolved project/service; exit 2 when either is missing, 4 without token. */
  builds(): Promise<BuildsApi>;
  /** The same world, with `.valar.yml` looked for walking up from `dir` instead of the cwd. */
  withValarYmlFrom(dir: string): Ctx;
}

/** What every command's world holds, online or not: streams, environment, time, Ctrl-C. */
export function commandWorld(
  rt: Pick<Ctx, "io" | "env" | "cwd" | "clock" | "signal">,
  globals: GlobalOptions,
): Pick<Ctx, "io" | "env" | "cwd" | "clock" | "signal" | "globals"> {
  return { io: rt.io, env: rt.env, cwd: rt.cwd, clock: rt.clock, signal: rt.signal, globals };
}
