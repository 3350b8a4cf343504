import { Argument, Command } from "commander";
import type { Runtime } from "../runtime.js";
import type { Ctx } from "../context.js";
import { withExamples } from "./shared/options.js";

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

export function defineCompletion(rt: Runtime): Command {
  const cmd = new Command("completion")
    .description("print the shell completion script (bash, zsh or fish)")
    .addArgument(new Argument("<shell>", "the shell to complete for").choices(SHELLS));
  withExamples(cmd, [
    "valar completion bash > ~/.local/share/bash-completion/completions/valar",
    "valar completion zsh > ~/.zfunc/_valar   # with fpath=(~/.zfunc $fpath) in ~/.zshrc",
    "valar completion fish > ~/.config/fish/completions/valar.fish",
    "source <(valar completion bash)",
  ]);
  // The script is generated from the whole tree, so run needs the root this command hangs from.
  return cmd.action(rt.action((ctx, args) => run(ctx, args, rootOf(cmd))));
}

function rootOf(cmd: Command): Command {
  let root = cmd;
  while (root.parent) root = root.parent;
  return root;
}

export async function run(ctx: Ctx, args: string[], root: Command): Promise<number> {
  const { completionScript } = await import("../completion/index.js");
  ctx.io.write(completionScript(args[0] as Shell, root));
  return 0;
}
