import { join } from "node:path";
import { tempDir } from "./cli.js";

/**
 * An environment of a fresh HOME and config directory and nothing else (none of the test
 * process's own variables), plus `extra`: for runs in process, where nothing is inherited.
 */
export function testEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const home = tempDir("valar-home-");
  return { HOME: home, XDG_CONFIG_HOME: join(home, ".config"), VALAR_CONFIG_DIR: join(home, "valar-config"), ...extra };
}
