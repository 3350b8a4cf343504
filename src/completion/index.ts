import type { Command } from "commander";
import { bashScript } from "./bash.js";
import { fishScript } from "./fish.js";
import { zshScript } from "./zsh.js";
import { commandSpec } from "./spec.js";
import { completionTables } from "./tables.js";

export type Shell = "bash" | "zsh" | "fish";

/** The completion script of a shell for the command tree under root (and `help`'s topics). */
export function completionScript(shell: Shell, root: Command, helpTopics: string[]): string {
  const tables = completionTables(commandSpec(root, helpTopics));
  switch (shell) {
    case "bash":
      return bashScript(tables);
    case "zsh":
      return zshScript(tables);
    case "fish":
      return fishScript(tables);
  }
}
