import type { Ctx } from "../app/context.js";
import type { CommandModule } from "../app/runtime.js";
import { OperationError, UsageError } from "../errors.js";
import { CONFIG_KEYS, DEFAULT_ENDPOINT, type ConfigKey } from "../settings/settings-types.js";
import { openSettingsStore } from "../settings/settings-writer.js";
import { checkTargetName } from "../settings/resolve-settings.js";
import { normalizeEndpoint, sameEndpoint } from "../api/endpoint.js";

function configKey(key: string | undefined): ConfigKey {
  if (!key || !(CONFIG_KEYS as readonly string[]).includes(key)) {
    throw new UsageError(`unknown config key "${key ?? ""}"`, {
      hint: `keys are ${CONFIG_KEYS.join(", ")} (the token is stored by \`valar auth login\`)`,
    });
  }
  return key as ConfigKey;
}

/** A value as it will be stored, or exit 2 saying what is wrong with it. */
function checkConfigValue(key: ConfigKey, value: string): string {
  const trimmed = value.trim();
  if (key === "endpoint") return normalizeEndpoint(trimmed);
  checkTargetName(key, trimmed, { shown: value });
  return trimmed;
}

function runGet(ctx: Ctx, args: string[]): number {
  const key = configKey(args[0]);
  const value = openSettingsStore(ctx.env, (m) => ctx.io.warn(m)).read()[key];
  if (value === undefined) {
    // Exit 1 and an empty stdout, like `git config`: scripts can test it with `if`.
    throw new OperationError(`${key} is not set`, {
      hint:
        key === "endpoint"
          ? `the default ${DEFAULT_ENDPOINT} applies; set one with \`valar config set endpoint URL\``
          : `set it with \`valar config set ${key} NAME\``,
    });
  }
  ctx.io.println(value);
  return 0;
}

function runSet(ctx: Ctx, args: string[]): number {
  const key = configKey(args[0]);
  const value = checkConfigValue(key, args[1] ?? "");
  const s = openSettingsStore(ctx.env, (m) => ctx.io.warn(m));
  s.update({ [key]: value });
  const { tokenEndpoint } = s.read();
  if (key === "endpoint" && tokenEndpoint) {
    if (!sameEndpoint(tokenEndpoint, value)) {
      ctx.io.warn(`the stored token is for ${tokenEndpoint} and will not be sent to ${value}; run \`valar auth login\``);
    }
  }
  return 0;
}

function runUnset(ctx: Ctx, args: string[]): number {
  const key = configKey(args[0]);
  openSettingsStore(ctx.env, (m) => ctx.io.warn(m)).update({ [key]: undefined });
  return 0;
}

function runList(ctx: Ctx, _args: string[], opts: { json?: boolean }): number {
  const s = openSettingsStore(ctx.env, (m) => ctx.io.warn(m));
  const stored = s.read();
  const entries = CONFIG_KEYS.flatMap((k) => (stored[k] === undefined ? [] : [[k, stored[k]] as const]));
  if (opts.json) {
    ctx.io.printJson(Object.fromEntries(entries));
    return 0;
  }
  if (entries.length === 0) ctx.io.note(`No settings stored (in ${s.path}).`);
  for (const [k, v] of entries) ctx.io.println(`${k}=${v}`);
  return 0;
}

export const get: CommandModule = { run: runGet };
export const set: CommandModule = { run: runSet };
export const unset: CommandModule = { run: runUnset };
export const list: CommandModule<{ json?: boolean }> = { run: runList };
