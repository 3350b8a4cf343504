import { Command, InvalidArgumentError } from "commander";
import type { Runtime } from "../../app/runtime.js";
import { addDeployCommandWaitOptions, addJsonOption, withExamples } from "../shared/options.js";
import type { DeployWaitFlags } from "../../deploys/wait-deploy.js";

export interface DeploysRollbackOptions extends DeployWaitFlags {
  delta?: number;
}

function parseDelta(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new InvalidArgumentError("expected a whole number of at least 1");
  return Number(value);
}

export function defineDeploysRollback(rt: Runtime): Command {
  const cmd = new Command("rollback")
    .description("roll back to an earlier deployment, as a new version; prints the version")
    .argument("[version]", "the version to return to (12 or v12); default: the one before the newest")
    .option("-d, --delta <n>", "go N versions back from the newest instead (as Valar's Go CLI)", parseDelta);
  addJsonOption(cmd, "print the new deployment as JSON; with -w, NDJSON events ending in a result event");
  addDeployCommandWaitOptions(cmd);
  withExamples(cmd, ["valar deploys rollback", "valar deploys rollback 12 -w", "valar deploys rollback --delta 2"]);
  return cmd.action(rt.action(() => import("./rollback.run.js")));
}
