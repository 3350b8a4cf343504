import { UsageError } from "../errors.js";
import type { StoredSettings } from "./resolve.js";

/**
 * Stored settings: one JSON file via `conf`, in the user's config directory or in
 * VALAR_CONFIG_DIR. The file holds the token, so it is written with mode 0600.
 */
export interface SettingsStore {
  readonly path: string;
  read(): StoredSettings;
  set(key: keyof StoredSettings, value: string): void;
  unset(key: keyof StoredSettings): void;
}

const STORED_KEYS: ReadonlyArray<keyof StoredSettings> = ["endpoint", "project", "service", "token", "tokenEndpoint"];

/** Only the string values of known keys: a hand-edited file cannot smuggle in other types. */
function clean(raw: Record<string, unknown>): StoredSettings {
  const out: StoredSettings = {};
  for (const key of STORED_KEYS) {
    const value = raw[key];
    if (typeof value === "string" && value !== "") out[key] = value;
  }
  return out;
}

function storeError(path: string, err: unknown): UsageError {
  const reason = (err as Error)?.message?.split("\n")[0] ?? String(err);
  return new UsageError(`cannot use the stored settings in ${path}: ${reason}`, {
    hint: "fix or delete that file (then log in again with `valar auth login`)",
    cause: err,
  });
}

export async function openSettingsStore(env: NodeJS.ProcessEnv): Promise<SettingsStore> {
  const [{ default: Conf }, { default: envPaths }, { join }] = await Promise.all([
    import("conf"),
    import("env-paths"),
    import("node:path"),
  ]);
  const cwd = env.VALAR_CONFIG_DIR || envPaths("valar", { suffix: "" }).config;
  const path = join(cwd, "config.json");
  let conf: InstanceType<typeof Conf<Record<string, unknown>>>;
  try {
    conf = new Conf<Record<string, unknown>>({
      projectName: "valar",
      cwd,
      configName: "config",
      configFileMode: 0o600,
      accessPropertiesByDotNotation: false,
    });
  } catch (err) {
    throw storeError(path, err);
  }
  const guarded = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw storeError(conf.path, err);
    }
  };
  return {
    path: conf.path,
    read: () => guarded(() => clean({ ...conf.store })),
    set: (key, value) => guarded(() => conf.set(key, value)),
    unset: (key) => guarded(() => conf.delete(key)),
  };
}
