import { readFileSync } from "node:fs";
import { join } from "node:path";
import envPaths from "env-paths";
import { UsageError } from "../errors.js";
import type { StoredSettings } from "./resolve.js";

/**
 * Reading the stored settings. The file is conf's (src/settings/store.ts writes it), but a
 * read is a plain JSON read: loading conf costs every command its ajv and semver modules,
 * and conf validates nothing here (no schema) that `cleanStored` does not.
 */

export function configDir(env: NodeJS.ProcessEnv): string {
  return env.VALAR_CONFIG_DIR || envPaths("valar", { suffix: "" }).config;
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

export function storeError(path: string, err: unknown): UsageError {
  const reason = (err as Error)?.message?.split("\n")[0] ?? String(err);
  return new UsageError(`cannot use the stored settings in ${path}: ${reason}`, {
    hint: "fix or delete that file (then log in again with `valar auth login`)",
    cause: err,
  });
}

/** The stored settings, or none when nothing was ever stored; exit 2 for a broken file. */
export function readStoredSettings(env: NodeJS.ProcessEnv): StoredSettings {
  const path = configFilePath(env);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw storeError(path, err);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw storeError(path, err);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw storeError(path, new Error("expected a JSON object"));
  }
  return cleanStored(raw);
}
