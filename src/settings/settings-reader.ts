import { chmodSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import type { StoredSettings } from "./resolve-settings.js";
import { readSettingsFile } from "./settings-file.js";

/**
 * Reading the stored settings: one JSON file that src/settings/settings-writer.ts writes. Its text is
 * never quoted in a message: the path may be a link to a file that is not valar's (a
 * config.json pointing at /etc/shadow must not show its first characters).
 */

export function configDir(env: NodeJS.ProcessEnv): string {
  return env.VALAR_CONFIG_DIR || userConfigDir(env);
}

/**
 * env-paths's config directory for valar, but from the command's environment: env-paths
 * reads process.env, which a run with an injected environment (the in-process tests) must
 * not reach, or it would read and write the real user's settings.
 */
function userConfigDir(env: NodeJS.ProcessEnv): string {
  const home = env.HOME || homedir();
  if (process.platform === "darwin") return join(home, "Library", "Preferences", "valar");
  if (process.platform === "win32") return join(env.APPDATA || join(home, "AppData", "Roaming"), "valar", "Config");
  return join(env.XDG_CONFIG_HOME || join(home, ".config"), "valar");
}

export function configFilePath(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), "config.json");
}

const STORED_KEYS: ReadonlyArray<keyof StoredSettings> = ["endpoint", "project", "service", "token", "tokenEndpoint"];

/** Only the string values of known keys: a hand-edited file cannot smuggle in other types. */
export function cleanStored(raw: unknown): StoredSettings {
  const out: StoredSettings = {};
  if (typeof raw !== "object" || raw === null) return out;
  for (const key of STORED_KEYS) {
    const value = (raw as Record<string, unknown>)[key];
    if (typeof value === "string" && value !== "") out[key] = value;
  }
  return out;
}

function storeError(path: string, reason: string, cause?: unknown): UsageError {
  return new UsageError(`cannot use the stored settings in ${path}: ${reason}`, {
    hint: "fix or delete that file (then log in again with `valar auth login`)",
    cause,
  });
}

/**
 * The stored file as a JSON object (unknown keys kept, for a rewrite that keeps them), or
 * an empty one when nothing was ever stored; exit 2 for a file that is not valid. A file
 * holding a token that others may read is made 0600, with a warning.
 */
export function readStoredObject(env: NodeJS.ProcessEnv, warn: (message: string) => void): Record<string, unknown> {
  const path = configFilePath(env);
  let file;
  try {
    file = readSettingsFile(path);
  } catch (err) {
    throw storeError(path, (err as NodeJS.ErrnoException).code ?? "cannot be read", err);
  }
  if (file.kind === "missing") return {};
  if (file.kind === "skipped") throw storeError(path, `not a valid settings file (${file.reason})`);
  let raw: unknown;
  try {
    raw = JSON.parse(file.text);
  } catch (err) {
    // JSON.parse quotes the text it stumbled on: never shown (see above).
    throw storeError(path, "not a valid settings file (not JSON)", err);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw storeError(path, "not a valid settings file (not a JSON object)");
  }
  const mode = file.stats.mode & 0o777;
  if (mode & 0o077 && cleanStored(raw).token !== undefined) protectTokenFile(path, mode, warn);
  return raw as Record<string, unknown>;
}

/** The token file readable by others (a copy, a restore, a umask) is closed, not refused. */
function protectTokenFile(path: string, mode: number, warn: (message: string) => void): void {
  const was = `mode ${mode.toString(8).padStart(4, "0")}`;
  try {
    chmodSync(path, 0o600);
    warn(`${path} holds the token and was open to other users (${was}); it is now 0600`);
  } catch (err) {
    warn(
      `${path} holds the token and is open to other users (${was}); cannot make it 0600 (${(err as NodeJS.ErrnoException).code ?? "failed"}): run chmod 600 on it`,
    );
  }
}

/** The stored settings, or none when nothing was ever stored; exit 2 for a broken file. */
export function readStoredSettings(env: NodeJS.ProcessEnv, warn: (message: string) => void): StoredSettings {
  return cleanStored(readStoredObject(env, warn));
}
