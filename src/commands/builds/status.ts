import { Command } from "commander";
import type { Runtime } from "../../app/runtime.js";
import { addJsonOption, withExamples } from "../shared/options.js";

export interface StatusOptions {
  json?: boolean;
}

export function defineStatus(rt: Runtime): Command {
  const cmd = new Command("status")
    .description("print a build's status (exit 0: done, 8: not ended yet, 3: failed)")
    .argument("<prefix>", "build ID or the start of one (- reads it from stdin)");
  addJsonOption(cmd);
  withExamples(cmd, ["valar builds status a1b2", 'valar builds status "$id" && echo deployed']);
  return cmd.action(rt.action(() => import("./status.run.js")));
}
