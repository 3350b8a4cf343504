import { Command, Option } from "commander";
import type { Runtime } from "../../app/runtime.js";
import { DEFAULT_LIMIT, parseLimit } from "../builds/ls.js";
import { addJsonOption, withExamples } from "../shared/options.js";

export interface DeploysLsOptions {
  limit: number;
  all?: boolean;
  quiet?: boolean;
  json?: boolean;
}

export function defineDeploysLs(rt: Runtime): Command {
  const cmd = new Command("ls")
    .alias("list")
    .description("list deployments, newest first")
    .option("-n, --limit <n>", "show at most N deployments", parseLimit, DEFAULT_LIMIT)
    .addOption(new Option("--all", "show all deployments (no limit)").conflicts("limit"))
    .addOption(new Option("-q, --quiet", "print versions only, one per line").conflicts("json"));
  addJsonOption(cmd);
  withExamples(cmd, ["valar deploys ls", "valar deploys ls -n 5 --json", "valar deploys ls -q | head -1"]);
  return cmd.action(rt.action(() => import("./ls.run.js")));
}
