import { execa, type Options, type ResultPromise } from "execa";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "./temp-dirs.js";
import { isolatedEnv } from "./test-env.js";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const BIN = join(ROOT, "bin", "valar.js");

export { tempDir } from "./temp-dirs.js";
export { isolatedEnv } from "./test-env.js";

/** A fresh directory holding a `valar` that runs this checkout's bin, as an installed one would: put it on PATH. */
export function valarShimDir(): string {
  const dir = tempDir("valar-shim-");
  writeFileSync(join(dir, "valar"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(dir, "valar"), 0o755);
  return dir;
}

export interface RunOptions extends Omit<Options, "env"> {
  env?: Record<string, string | undefined>;
}

/**
 * Spawns the built bin/valar.js. Never rejects on a non-zero exit: tests assert on
 * exitCode, stdout and stderr.
 */
export function runValar(args: string[], opts: RunOptions = {}): ResultPromise<{ reject: false; extendEnv: false }> {
  const { env, ...rest } = opts;
  return execa("node", [BIN, ...args], {
    reject: false,
    extendEnv: false,
    env: env ?? isolatedEnv(),
    stdin: "ignore",
    ...rest,
  } as Options) as unknown as ResultPromise<{ reject: false; extendEnv: false }>;
}
