import { Argument, Command } from "commander";
import type { Runtime } from "../app/runtime.js";
import { withExamples } from "./shared/options.js";
import { localCommand } from "./shared/help-layout.js";
import type { Shell } from "../completion/index.js";

const SHELLS = ["bash", "zsh", "fish"] as const satisfies readonly Shell[];

export function defineCompletion(rt: Runtime): Command {
  const cmd = localCommand(new Command("completion"))
    .description("print the shell completion script (bash, zsh or fish)")
    .addArgument(new Argument("<shell>", "the shell to complete for").choices(SHELLS));
  withExamples(cmd, [
    "valar completion bash > ~/.local/share/bash-completion/completions/valar",
    "valar completion zsh > ~/.zfunc/_valar   # with fpath=(~/.zfunc $fpath) in ~/.zshrc",
    "valar completion fish > ~/.config/fish/completions/valar.fish",
    "source <(valar completion bash)",
  ]);
  return cmd.action(rt.action(() => import("./completion.run.js"), { offline: true }));
}
