import { Command } from "commander";
import type { Runtime } from "../runtime.js";
import type { Ctx } from "../context.js";
import { OperationError, UsageError } from "../errors.js";
import { CONFIG_KEYS, DEFAULT_ENDPOINT, type ConfigKey } from "../settings/types.js";
import { addJsonOption, withExamples } from "./shared/options.js";

export function defineConfig(rt: Runtime): Command {
  const config = new Command("config").description("get and set stored settings (endpoint, project, service)");
  withExamples(config, ["valar config set project myproject", "valar config get endpoint", "valar config list"]);
  const get = new Command("get")
    .description("print a stored setting (exit 1 when it is not set)")
    .argument("<key>", "endpoint, project or service");
  withExamples(get, ["valar config get project"]);
  get.action(rt.action(runGet));
  const set = new Command("set")
    .description("store a setting")
    .argument("<key>", "endpoint, project or service")
    .argument("<value>", "the value");
  withExamples(set, ["valar config set project myproject", "valar config set endpoint http://127.0.0.1:8080/v2"]);
  set.action(rt.action(runSet));
  const unset = new Command("unset").description("forget a stored setting").argument("<key>", "endpoint, project or service");
  withExamples(unset, ["valar config unset service"]);
  unset.action(rt.action(runUnset));
  const list = new Command("list").alias("ls").description("list stored settings (KEY=VALUE lines)");
  addJsonOption(list);
  withExamples(list, ["valar config list", "valar config list --json"]);
  list.action(rt.action(runList));
  return config.addCommand(get).addCommand(set).addCommand(unset).addCommand(list);
}

function configKey(key: string | undefined): ConfigKey {
  if (!key || !(CONFIG_KEYS as readonly string[]).includes(key)) {
    throw new UsageError(`unknown config key "${key ?? ""}"`, {
      hint: `keys are ${CONFIG_KEYS.join(", ")} (the token is stored by \`valar auth login\`)`,
    });
  }
  return key as ConfigKey;
}

async function store(ctx: Ctx) {
  const { openSettingsStore } = await import("../settings/store.js");
  return openSettingsStore(ctx.env);
}

/** A value as it will be stored, or exit 2 saying what is wrong with it. */
export async function checkConfigValue(key: ConfigKey, value: string): Promise<string> {
  const trimmed = value.trim();
  if (key === "endpoint") {
    const { normalizeEndpoint } = await import("../api/endpoint.js");
    return normalizeEndpoint(trimmed);
  }
  const { checkTargetName } = await import("../settings/resolve.js");
  checkTargetName(key, trimmed, { shown: value });
  return trimmed;
}

export async function runGet(ctx: Ctx, args: string[]): Promise<number> {
  const key = configKey(args[0]);
  const value = (await store(ctx)).read()[key];
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

export async function runSet(ctx: Ctx, args: string[]): Promise<number> {
  const key = configKey(args[0]);
  const value = await checkConfigValue(key, args[1] ?? "");
  const s = await store(ctx);
  s.set(key, value);
  const { tokenEndpoint } = s.read();
  if (key === "endpoint" && tokenEndpoint) {
    const { sameEndpoint } = await import("../api/endpoint.js");
    if (!sameEndpoint(tokenEndpoint, value)) {
      ctx.io.warn(`the stored token is for ${tokenEndpoint} and will not be sent to ${value}; run \`valar auth login\``);
    }
  }
  return 0;
}

export async function runUnset(ctx: Ctx, args: string[]): Promise<number> {
  const key = configKey(args[0]);
  (await store(ctx)).unset(key);
  return 0;
}

export async function runList(ctx: Ctx, _args: string[], opts: { json?: boolean }): Promise<number> {
  const s = await store(ctx);
  const stored = s.read();
  const entries = CONFIG_KEYS.flatMap((k) => (stored[k] === undefined ? [] : [[k, stored[k]!] as const]));
  if (opts.json) {
    ctx.io.printJson(Object.fromEntries(entries));
    return 0;
  }
  if (entries.length === 0) ctx.io.note(`No settings stored (in ${s.path}).`);
  for (const [k, v] of entries) ctx.io.println(`${k}=${v}`);
  return 0;
}
