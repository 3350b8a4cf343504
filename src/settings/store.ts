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

export async function openSettingsStore(env: NodeJS.ProcessEnv): Promise<SettingsStore> {
  const { default: Conf } = await import("conf");
  const conf = new Conf<StoredSettings>({
    projectName: "valar",
    projectSuffix: "",
    cwd: env.VALAR_CONFIG_DIR || undefined,
    configName: "config",
    configFileMode: 0o600,
  });
  return {
    path: conf.path,
    read: () => ({ ...conf.store }),
    set: (key, value) => conf.set(key, value),
    unset: (key) => conf.delete(key),
  };
}
