import { Command } from "commander";
import type { Runtime } from "../../app/runtime.js";
import { addJsonOption, withExamples } from "../shared/options.js";

export interface InspectOptions {
  json?: boolean;
}

export function defineInspect(rt: Runtime): Command {
  const cmd = new Command("inspect")
    .description("show the details of a build")
    .argument("<prefix>", "build ID or the start of one (- reads it from stdin)");
  addJsonOption(cmd);
  withExamples(cmd, ["valar builds inspect a1b2", "valar builds inspect a1b2 --json | jq -r .owner"]);
  return cmd.action(rt.action(() => import("./inspect.run.js")));
}
