import { commandWorld, type ClientOverride, type Ctx, type GlobalOptions } from "./context.js";
import type { Runtime } from "./runtime.js";
import type { Settings } from "../settings/settings-types.js";
import type { ApiClient } from "../api/client.js";
import { describeSource, rejectedTokenHint, requireTarget, requireToken, resolveSettings } from "../settings/resolve-settings.js";
import { findValarYml } from "../settings/find-valar-yml.js";
import { hasGoConfig } from "../settings/go-config-paths.js";
import { readStoredSettings } from "../settings/settings-reader.js";
import { parseEndpoint, sameEndpoint } from "../api/endpoint.js";
import { createApiClient } from "../api/factory.js";
import { BuildsApi } from "../api/builds.js";

/**
 * A command's injected world: its settings, API client and builds API are made on first use.
 * `settingsFrom` is where the walk for `.valar.yml` starts.
 */
export function createCtx(rt: Runtime, globals: GlobalOptions, settingsFrom = rt.cwd): Ctx {
  let settings: Promise<Settings> | undefined;
  let client: Promise<ApiClient> | undefined;
  const ctx: Ctx = {
    ...commandWorld(rt, globals),
    settings: () => (settings ??= loadSettings(rt, globals, settingsFrom)),
    withValarYmlFrom: (dir) => createCtx(rt, globals, dir),
    client: (override) => (override ? makeClient(rt, ctx, override) : (client ??= makeClient(rt, ctx))),
    builds: async () => {
      // Endpoint and token first: with nothing set up, "not logged in" is what a newcomer needs to hear.
      const client = await ctx.client();
      const target = requireTarget(await ctx.settings());
      return new BuildsApi(client, target.project, target.service);
    },
  };
  return ctx;
}

async function loadSettings(rt: Runtime, globals: GlobalOptions, from: string): Promise<Settings> {
  const warn = (message: string) => rt.io.warn(message);
  const yml = findValarYml(from, rt.env, warn);
  if (globals.debug) rt.io.note(rt.io.err.dim(`debug: ${yml ? `settings from ${yml.path}` : `no .valar.yml applies to ${from}`}`));
  const goConfigFound = hasGoConfig(rt.env);
  // The YAML parser costs every command ~10 ms to load: only where there is YAML to read.
  const yaml = yml || goConfigFound ? await import("../settings/yaml-settings.js") : undefined;
  const valarYml = yml ? yaml!.parseValarYml(yml.text, yml.path, warn) : undefined;
  // Valar's Go CLI config is the layer below the stored one, read only when a setting reaches it.
  const goConfig = goConfigFound ? () => yaml!.readGoConfig(rt.env, warn) : undefined;
  return resolveSettings({ flags: globals, env: rt.env, valarYml, stored: readStoredSettings(rt.env, warn), goConfig });
}

async function makeClient(rt: Runtime, ctx: Ctx, override: ClientOverride = {}): Promise<ApiClient> {
  const settings = await ctx.settings();
  const endpoint = override.endpoint ?? settings.endpoint.value;
  const endpointSource = describeSource(settings.endpoint.source, "endpoint", undefined, settings.endpoint.origin);
  // Checked before the token so a bad endpoint is reported as what it is, before any request.
  parseEndpoint(endpoint, override.endpoint ? undefined : endpointSource);
  const token = override.token ?? requireToken(settings);
  const resolvedToken = !override.token && settings.token;
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
    {
      tokenHint: override.token ? undefined : rejectedTokenHint(settings),
      tokenSource: resolvedToken ? describeSource(resolvedToken.source, "token", undefined, resolvedToken.origin) : undefined,
      // An endpoint given to the command itself (auth login's) came from its flag unless it is the resolved one.
      endpointSource: !override.endpoint || sameEndpoint(override.endpoint, settings.endpoint.value) ? endpointSource : "--endpoint",
    },
  );
}
