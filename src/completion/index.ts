import type { Command } from "commander";
import { bashScript } from "./bash.js";
import { fishScript } from "./fish.js";
import { zshScript } from "./zsh.js";
import type { Shell } from "../commands/completion.js";
import { commandSpec } from "./spec.js";
import { completionTables } from "./tables.js";

/** The completion script of a shell for the command tree under root. */
export function completionScript(shell: Shell, root: Command): string {
  const tables = completionTables(commandSpec(root));
  switch (shell) {
    case "bash":
      return bashScript(tables);
    case "zsh":
      return zshScript(tables);
    case "fish":
      return fishScript(tables);
  }
}
