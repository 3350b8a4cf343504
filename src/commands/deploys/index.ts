import type { Command } from "commander";
import { CommandGroup } from "../shared/help-layout.js";
import type { Runtime } from "../../app/runtime.js";
import { withExamples } from "../shared/options.js";
import { defineDeploysLs } from "./ls.js";
import { defineDeploysCreate } from "./create.js";
import { defineDeploysRollback } from "./rollback.js";

export function defineDeploys(rt: Runtime): Command {
  // The aliases are the names Valar's Go CLI answers to.
  const deploys = new CommandGroup("deploys").alias("deploy").alias("deployment").description("list, create and roll back deployments");
  withExamples(deploys, ["valar deploys ls", "valar deploys create a1b2 --env LOG_LEVEL=debug", "valar deploys rollback"]);
  for (const define of [defineDeploysLs, defineDeploysCreate, defineDeploysRollback]) deploys.addCommand(define(rt));
  return deploys;
}
