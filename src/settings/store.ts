import { mkdirSync } from "node:fs";
import Conf from "conf";
import type { StoredSettings } from "./resolve.js";
import { cleanStored, configDir, configFilePath, storeError } from "./stored.js";

/**
 * Changing the stored settings: one JSON file written by `conf` (atomically), in the user's
 * config directory or in VALAR_CONFIG_DIR. The file holds the token, so it is mode 0600 and
 * its directory, when valar creates it, 0700. Reading alone goes through ./stored.ts.
 */
export interface SettingsStore {
  readonly path: string;
  read(): StoredSettings;
  set(key: keyof StoredSettings, value: string): void;
  unset(key: keyof StoredSettings): void;
}

export function openSettingsStore(env: NodeJS.ProcessEnv): SettingsStore {
  const cwd = configDir(env);
  const path = configFilePath(env);
  let conf: Conf<Record<string, unknown>>;
  try {
    // conf would create it with the default mode: other users need not see that it exists.
    mkdirSync(cwd, { recursive: true, mode: 0o700 });
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
    read: () => guarded(() => cleanStored({ ...conf.store })),
    set: (key, value) => guarded(() => conf.set(key, value)),
    unset: (key) => guarded(() => conf.delete(key)),
  };
}
