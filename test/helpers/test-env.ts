import { join } from "node:path";
import { tempDir } from "./temp-dirs.js";

// Apart from cli.ts (execa), so the in-process tests load no more than they use.

/**
 * An environment of a fresh HOME and config directory and nothing else (none of the test
 * process's own variables), plus `extra`: for runs in process, where nothing is inherited.
 */
export function testEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const home = tempDir("valar-home-");
  return { HOME: home, XDG_CONFIG_HOME: join(home, ".config"), VALAR_CONFIG_DIR: join(home, "valar-config"), ...extra };
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
