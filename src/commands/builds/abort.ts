import { Command } from "commander";
import type { Runtime } from "../../app/runtime.js";
import { addJsonOption, withExamples } from "../shared/options.js";

export interface AbortOptions {
  json?: boolean;
}

export function defineAbort(rt: Runtime): Command {
  const cmd = new Command("abort")
    .description("abort a pending or running build")
    .argument("<prefix>", "build ID or the start of one (- reads it from stdin)");
  addJsonOption(cmd);
  withExamples(cmd, ["valar builds abort a1b2", "valar builds ls -q --status running | xargs -n1 valar builds abort"]);
  return cmd.action(rt.action(() => import("./abort.run.js")));
}
