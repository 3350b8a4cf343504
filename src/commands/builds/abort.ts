import { Command } from "commander";
import type { Runtime } from "../../runtime.js";
import type { Ctx } from "../../context.js";
import { addJsonOption, withExamples } from "../shared/options.js";
import { notImplemented } from "../shared/not-implemented.js";

export interface AbortOptions {
  json?: boolean;
}

export function defineAbort(rt: Runtime): Command {
  const cmd = new Command("abort")
    .description("abort a pending or running build")
    .argument("<prefix>", "build ID or the start of one (- reads it from stdin)");
  addJsonOption(cmd);
  withExamples(cmd, ["valar builds abort a1b2"]);
  return cmd.action(rt.action(run));
}

export async function run(_ctx: Ctx, _args: string[], _opts: AbortOptions): Promise<number> {
  return notImplemented("builds abort");
}
