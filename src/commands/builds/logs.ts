import { Command } from "commander";
import type { Runtime } from "../../runtime.js";
import { addWaitOptions, withExamples, type WaitOptions } from "../shared/options.js";

export interface LogsOptions extends WaitOptions {
  follow?: boolean;
  raw?: boolean;
}

export function defineLogs(rt: Runtime): Command {
  const cmd = new Command("logs")
    .description("print a build's log (the newest build when no prefix is given)")
    .argument("[prefix]", "build ID or the start of one (- reads it from stdin)")
    .option("-f, --follow", "stream the log until the build ends; exit with its outcome")
    .option("--raw", "print only each line's content");
  addWaitOptions(cmd);
  withExamples(cmd, ["valar builds logs a1b2", "valar builds logs -f", 'valar builds logs -f "$id" --timeout 15m']);
  return cmd.action(rt.action(() => import("./logs.run.js")));
}
