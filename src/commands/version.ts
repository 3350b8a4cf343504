import { Command } from "commander";
import type { Runtime } from "../app/runtime.js";
import { withExamples } from "./shared/options.js";
import { localCommand } from "./shared/help-layout.js";

/** `valar version`, as Valar's Go CLI users type it (the same as --version). */
export function defineVersion(rt: Runtime): Command {
  const cmd = localCommand(new Command("version").description("print the version (also -v, --version)"));
  withExamples(cmd, ["valar version"]);
  return cmd.action(() => {
    rt.io.println(rt.version);
  });
}
