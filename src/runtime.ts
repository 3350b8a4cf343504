import type { Command } from "commander";
import type { ClientOverride, Clock, Ctx, GlobalOptions } from "./context.js";
import type { IOStreams } from "./output/io.js";
import type { Settings } from "./settings/types.js";
import type { ApiClient } from "./api/client.js";
import { sleep } from "./util/sleep.js";

/** What one process run shares among its commands: the injected world before parsing. */
export interface Runtime {
  io: IOStreams;
  env: NodeJS.ProcessEnv;
  cwd: string;
  clock: Clock;
  signal: AbortSignal;
  version: string;
  /**
   * Wraps a command's run function as a commander action: builds the Ctx from the parsed
   * global options and records the exit code the run returns.
   */
  action<O>(run: (ctx: Ctx, args: string[], opts: O) => Promise<number | void>): (...a: unknown[]) => Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep,
};

export interface RuntimeState {
  exitCode: number;
}

export function createRuntime(
  base: Omit<Runtime, "action">,
  state: RuntimeState,
): Runtime {
  const rt: Runtime = {
    ...base,
    action(run) {
      return async (...a: unknown[]) => {
        const cmd = a[a.length - 1] as Command;
        const opts = cmd.opts();
        const positionals = a.slice(0, -2).flatMap((x) => (Array.isArray(x) ? x : x === undefined ? [] : [x])) as string[];
        const ctx = createCtx(rt, cmd.optsWithGlobals() as GlobalOptions);
        const code = await run(ctx, positionals, opts as never);
        state.exitCode = code ?? 0;
      };
    },
  };
  return rt;
}

function createCtx(rt: Runtime, g: GlobalOptions): Ctx {
  const globals: GlobalOptions = {
    debug: Boolean(g.debug) || rt.env.VALAR_DEBUG === "1" || rt.env.VALAR_DEBUG === "true",
    endpoint: g.endpoint,
    project: g.project,
    service: g.service,
  };
  let settings: Promise<Settings> | undefined;
  let client: Promise<ApiClient> | undefined;
  const ctx: Ctx = {
    io: rt.io,
    env: rt.env,
    cwd: rt.cwd,
    clock: rt.clock,
    signal: rt.signal,
    globals,
    settings: () => (settings ??= loadSettings(rt, globals)),
    client: (override) => (override ? makeClient(rt, ctx, override) : (client ??= makeClient(rt, ctx))),
    builds: async () => {
      const { requireTarget } = await import("./settings/resolve.js");
      const target = requireTarget(await ctx.settings());
      const { BuildsApi } = await import("./api/builds.js");
      return new BuildsApi(await ctx.client(), target.project, target.service);
    },
  };
  return ctx;
}

async function loadSettings(rt: Runtime, globals: GlobalOptions): Promise<Settings> {
  const [{ resolveSettings }, { loadValarYml }, { openSettingsStore }, { readGoConfig }] = await Promise.all([
    import("./settings/resolve.js"),
    import("./settings/valar-yml.js"),
    import("./settings/store.js"),
    import("./settings/go-config.js"),
  ]);
  const [valarYml, store] = await Promise.all([loadValarYml(rt.cwd), openSettingsStore(rt.env)]);
  // Valar's Go CLI config is the layer below the stored one, read only when a setting reaches it.
  const goConfig = () => readGoConfig(rt.env, (message) => rt.io.warn(message));
  return resolveSettings({ flags: globals, env: rt.env, valarYml, stored: store.read(), goConfig });
}

async function makeClient(rt: Runtime, ctx: Ctx, override: ClientOverride = {}): Promise<ApiClient> {
  const settings = await ctx.settings();
  const [{ requireToken, describeSource }, { parseEndpoint }, { createApiClient }] = await Promise.all([
    import("./settings/resolve.js"),
    import("./api/endpoint.js"),
    import("./api/factory.js"),
  ]);
  const endpoint = override.endpoint ?? settings.endpoint.value;
  // Checked before the token so a bad endpoint is reported as what it is, before any request.
  parseEndpoint(endpoint, override.endpoint ? undefined : describeSource(settings.endpoint.source, "endpoint", undefined, settings.endpoint.origin));
  const token = override.token ?? requireToken(settings);
  return createApiClient(
    {
      env: rt.env,
      version: rt.version,
      signal: override.signal ? AbortSignal.any([rt.signal, override.signal]) : rt.signal,
      noRetry: override.noRetry,
      sleep: rt.clock.sleep,
      debug: ctx.globals.debug ? (line) => rt.io.note(rt.io.err.dim(`debug: ${line}`)) : undefined,
    },
    endpoint,
    token,
  );
}
