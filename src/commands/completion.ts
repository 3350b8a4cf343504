import { Command } from "commander";
import type { Runtime } from "../runtime.js";
import type { Ctx } from "../context.js";
import { withExamples } from "./shared/options.js";
import { notImplemented } from "./shared/not-implemented.js";

export function defineCompletion(rt: Runtime): Command {
  const cmd = new Command("completion")
    .description("print the shell completion script")
    .argument("<shell>", "bash, zsh or fish");
  withExamples(cmd, ["valar completion bash > ~/.local/share/bash-completion/completions/valar"]);
  return cmd.action(rt.action(run));
}

export async function run(_ctx: Ctx, _args: string[]): Promise<number> {
  return notImplemented("completion");
}
