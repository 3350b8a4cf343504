import type { EnvironmentEntry } from "../api/types.js";

type SettingSource = "flag" | "env" | "valar.yml" | "stored" | "go-config" | "default";

export interface Setting {
  value: string;
  source: SettingSource;
  /** For a value from Valar's Go CLI config: which file and context (`~/.valar/config, context prod`). */
  origin?: string;
}

/** A parsed `.valar.yml` (the format of Valar's original CLI). */
export interface ValarYml {
  /** Absolute path of the file that was read. */
  path: string;
  project?: string;
  service?: string;
  build: {
    constructor?: string;
    /** Path prefixes, relative to the file's directory, that are not packed. */
    ignore: string[];
    environment: EnvironmentEntry[];
  };
  deployment: {
    skip?: boolean;
    environment: EnvironmentEntry[];
  };
}

export interface Settings {
  endpoint: Setting;
  token?: Setting & { source: "env" | "stored" | "go-config" };
  /**
   * The endpoint a stored token was checked against, when that is not the endpoint in use:
   * the token is then withheld (it is sent only where it was issued).
   */
  storedTokenEndpoint?: string;
  project?: Setting;
  service?: Setting;
  valarYml?: ValarYml;
  /** Why Valar's Go CLI config gave less than it could (no active context…), when it was needed. */
  goConfigProblem?: string;
}

/** The keys `valar config` manages. The token is stored by `valar auth login` only. */
export const CONFIG_KEYS = ["endpoint", "project", "service"] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

export const DEFAULT_ENDPOINT = "https://api.valar.dev/v2";
