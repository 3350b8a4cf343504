import { Command } from "commander";
import type { Runtime } from "../../app/runtime.js";
import { addDeployWaitOption, addJsonOption, addWaitOptions, withExamples, type DeployWaitOptions, type WaitOptions } from "../shared/options.js";

export interface WatchOptions extends WaitOptions, DeployWaitOptions {
  json?: boolean;
}

export function defineWatch(rt: Runtime): Command {
  const cmd = new Command("watch")
    .description("wait for a build to end, showing its status and latest log lines")
    .argument("[prefix]", "build ID or the start of one (- reads it from stdin); default: the newest build");
  addWaitOptions(cmd);
  addDeployWaitOption(cmd);
  addJsonOption(cmd, "print NDJSON events (status, deployment) ending in a result event");
  withExamples(cmd, ["valar builds watch", "valar builds watch a1b2 --timeout 30m"]);
  return cmd.action(rt.action(() => import("./watch.run.js")));
}
