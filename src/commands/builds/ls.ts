import { Command } from "commander";
import type { Runtime } from "../../runtime.js";
import type { Ctx } from "../../context.js";
import { addJsonOption, withExamples } from "../shared/options.js";
import { notImplemented } from "../shared/not-implemented.js";

export interface LsOptions {
  limit: string;
  all?: boolean;
  status?: string;
  quiet?: boolean;
  json?: boolean;
}

export function defineLs(rt: Runtime): Command {
  const cmd = new Command("ls")
    .alias("list")
    .description("list builds, newest first")
    .argument("[prefix]", "only builds whose ID starts with PREFIX")
    .option("-n, --limit <n>", "show at most N builds", "20")
    .option("--all", "show all builds (no limit)")
    .option("--status <s[,s...]>", "only builds with these statuses")
    .option("-q, --quiet", "print build IDs only, one per line");
  addJsonOption(cmd);
  withExamples(cmd, ["valar builds ls", "valar builds ls --status failed,expired -n 5", "valar builds ls -q | head -1"]);
  return cmd.action(rt.action(run));
}

export async function run(_ctx: Ctx, _args: string[], _opts: LsOptions): Promise<number> {
  return notImplemented("builds ls");
}
