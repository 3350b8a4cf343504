/**
 * The colour decision of the contract: never on a non-TTY or with NO_COLOR / TERM=dumb,
 * unless FORCE_COLOR asks for it.
 */
export function colorEnabled(isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "" && force !== "0" && force !== "false") return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.TERM === "dumb") return false;
  return isTTY;
}

/**
 * Spinners and progress bars redraw the line: only on a real, capable terminal, and only
 * where escape codes are allowed at all (NO_COLOR means none, unless FORCE_COLOR).
 */
export function animationEnabled(isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  return isTTY && env.TERM !== "dumb" && !env.CI && colorEnabled(isTTY, env);
}
