/**
 * Whether a run is a `--debug` one. Its own entry of the bundle (dist/debug.js): the
 * launcher asks it before loading the CLI, to turn source maps on for what loads next.
 */

/** VALAR_DEBUG=1 (or true) counts as --debug: the one place it is read. */
export function debugFromEnv(env: NodeJS.ProcessEnv): boolean {
  return env.VALAR_DEBUG === "1" || env.VALAR_DEBUG === "true";
}

/** Before commander has parsed anything: the flag anywhere on the line, or the variable. */
export function debugRequested(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  return argv.includes("--debug") || debugFromEnv(env);
}
