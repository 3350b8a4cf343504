import { Command } from "commander";
import type { Runtime } from "../app/runtime.js";

/** Completion must never make the shell wait long: past this, it offers nothing. */
export const COMPLETE_TIMEOUT_MS = 2000;

/**
 * `valar __complete build-ids|deploy-versions [word]`: the dynamic candidates the completion
 * scripts ask for, one `CANDIDATE<TAB>description` line each, newest first. Hidden from help.
 * Whatever goes wrong (no token, no project, unreachable, an error answer, a bad word) it
 * prints nothing and exits 0: a completion must never spill errors into the user's command line.
 */
export function defineComplete(rt: Runtime): Command {
  const cmd = new Command("__complete")
    .description("print completion candidates (used by the completion scripts)")
    .argument("[words...]")
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false);
  return cmd.action(rt.action(() => import("./complete.run.js")));
}
