import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Where Valar's Go CLI keeps its config, known without reading (or parsing) any of it. */

/** The files to read: VALARCONFIG's list when it is set (as the Go CLI: even empty), else ~/.valar/config. */
export function goConfigFiles(env: NodeJS.ProcessEnv): { files: string[]; listed: boolean } {
  if (env.VALARCONFIG !== undefined) return { files: env.VALARCONFIG.split(";").filter((f) => f.trim() !== ""), listed: true };
  return { files: [join(homeDir(env), ".valar", "config")], listed: false };
}

export function homeDir(env: NodeJS.ProcessEnv): string {
  return env.HOME || homedir();
}

/** A path as a person reads it: the home directory as `~`. */
export function displayPath(path: string, env: NodeJS.ProcessEnv): string {
  const home = homeDir(env).replace(/\/+$/, "");
  return home && path.startsWith(home + "/") ? "~" + path.slice(home.length) : path;
}

/** Whether there is a Go CLI config to read at all (a listed file that is missing is a warning). */
export function hasGoConfig(env: NodeJS.ProcessEnv): boolean {
  const { files, listed } = goConfigFiles(env);
  return listed ? files.length > 0 : files.some((f) => existsSync(f));
}
