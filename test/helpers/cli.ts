import { execa, type Options, type ResultPromise } from "execa";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const BIN = join(ROOT, "bin", "valar.js");

const created: string[] = [];

/** A fresh temporary directory, removed when the test file ends (test/helpers/temp-cleanup.ts). */
export function tempDir(prefix = "valar-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every directory tempDir made so far. */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** A fresh directory holding a `valar` that runs this checkout's bin, as an installed one would: put it on PATH. */
export function valarShimDir(): string {
  const dir = tempDir("valar-shim-");
  writeFileSync(join(dir, "valar"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(dir, "valar"), 0o755);
  return dir;
}

/**
 * An environment that isolates a spawned CLI from the developer's machine: its own
 * config directory and HOME, no inherited VALAR_* or colour settings, no proxies.
 */
export function isolatedEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const home = tempDir("valar-home-");
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) {
    // CI turns animation off (as is-interactive does): a test decides it, not the machine.
    if (/^(VALAR_|FORCE_COLOR|NO_COLOR|CI$|HTTPS?_PROXY|NO_PROXY|ALL_PROXY)/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, HOME: home, XDG_CONFIG_HOME: join(home, ".config"), VALAR_CONFIG_DIR: join(home, "valar-config"), ...extra };
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
