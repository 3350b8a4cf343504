import { Command } from "commander";
import type { Runtime } from "../../app/runtime.js";
import { addDeployCommandWaitOptions, addJsonOption, collect, withExamples } from "../shared/options.js";
import type { DeployWaitFlags } from "../../deploys/wait-deploy.js";

export interface DeploysCreateOptions extends DeployWaitFlags {
  env?: string[];
}

export function defineDeploysCreate(rt: Runtime): Command {
  const cmd = new Command("create")
    .description("deploy a done build as a new version; prints the version")
    .argument("<prefix>", "build ID or the start of one (- reads it from stdin)")
    .option("--env <KEY=VALUE>", "deployment environment variable, over .valar.yml's (repeatable)", collect);
  addJsonOption(cmd, "print the new deployment as JSON; with -w, NDJSON events ending in a result event");
  addDeployCommandWaitOptions(cmd);
  withExamples(cmd, [
    "valar deploys create a1b2",
    "valar deploys create a1b2 -w --timeout 5m",
    "valar deploys create a1b2 --env LOG_LEVEL=debug --env API_URL=https://api.example.com",
    "valar builds ls -q --status done | head -1 | valar deploys create -",
  ]);
  return cmd.action(rt.action(() => import("./create.run.js")));
}
