import { mkdirSync } from "node:fs";
import { OperationError } from "../errors.js";
import type { StoredSettings } from "./resolve-settings.js";
import { cleanStored, configDir, configFilePath, readStoredObject } from "./settings-reader.js";
import { writeFileAtomic } from "./atomic-write.js";

/**
 * Changing the stored settings: one JSON file in the user's config directory or in
 * VALAR_CONFIG_DIR. The file holds the token, so it is mode 0600 and its directory, when
 * valar creates it, 0700. Every change is one atomic write of the whole file: a failure
 * leaves the previous file whole, never a token beside another endpoint's binding.
 */
export interface SettingsStore {
  readonly path: string;
  read(): StoredSettings;
  /** Sets the keys given a string and removes those given undefined, in one write. */
  update(changes: Partial<Record<keyof StoredSettings, string | undefined>>): void;
}

export function openSettingsStore(env: NodeJS.ProcessEnv, warn: (message: string) => void): SettingsStore {
  const path = configFilePath(env);
  return {
    path,
    read: () => cleanStored(readStoredObject(env, warn)),
    update(changes) {
      const next = { ...readStoredObject(env, warn) };
      for (const [key, value] of Object.entries(changes)) {
        if (value === undefined) delete next[key];
        else next[key] = value;
      }
      try {
        // Other users need not see that the directory exists.
        mkdirSync(configDir(env), { recursive: true, mode: 0o700 });
        writeFileAtomic(path, JSON.stringify(next, null, "\t") + "\n");
      } catch (err) {
        throw writeError(path, err as NodeJS.ErrnoException);
      }
    },
  };
}

const WRITE_ERRORS: Record<string, string> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is exceeded",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "the file system is read-only",
  EIO: "input/output error",
  ENOTDIR: "a part of the path is not a directory",
};

/** A disk that refuses the write is the operation failing (exit 1), not a usage mistake. */
function writeError(path: string, err: NodeJS.ErrnoException): OperationError {
  const reason = (err.code && WRITE_ERRORS[err.code]) ?? err.code ?? "the write failed";
  return new OperationError(`cannot save the settings to ${path}: ${reason}; nothing was changed`, { cause: err });
}
