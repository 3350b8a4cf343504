import { Command, InvalidArgumentError, Option } from "commander";
import type { Runtime } from "../../app/runtime.js";
import { addJsonOption, addWaitOptions, withExamples, type WaitOptions } from "../shared/options.js";

export interface LogsOptions extends WaitOptions {
  follow?: boolean;
  raw?: boolean;
  json?: boolean;
  tail?: number;
  since?: string;
  source?: "process" | "wrapper";
  failed?: boolean;
}

function parseTail(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError("expected a whole number of entries, e.g. 50");
  return Number(value);
}

export function defineLogs(rt: Runtime): Command {
  const cmd = new Command("logs")
    .description("print a build's log (the newest build when no prefix is given)")
    .argument("[prefix]", "build ID or the start of one (- reads it from stdin)")
    .option("-f, --follow", "stream the log until the build ends; exit with its outcome")
    .addOption(new Option("--raw", "print only each line's content").conflicts("json"))
    .option("--tail <n>", "only the last N entries (with -f: the last N so far, then follow)", parseTail)
    .option(
      "--since <when>",
      "only entries at or after a time: a duration back from now (10m, 2h) or a timestamp (2026-03-01T10:00:00Z; without a zone it is UTC)",
    )
    .addOption(new Option("--source <source>", "only the build's own output (process) or the platform's (wrapper)").choices(["process", "wrapper"]))
    .addOption(
      new Option("--failed", "only why the build failed: its error and the last lines of its output (--failed-lines)").conflicts([
        "follow",
        "raw",
        "json",
      ]),
    );
  addJsonOption(cmd, "print one JSON object per entry (NDJSON): timestamp, source, stage, content");
  addWaitOptions(cmd);
  withExamples(cmd, [
    "valar builds logs a1b2",
    "valar builds logs -f",
    "valar builds logs --tail 50 --source process",
    "valar builds logs --failed a1b2",
    "valar builds logs --since 10m --json | jq -r .content",
    'valar builds logs -f "$id" --timeout 15m',
  ]);
  return cmd.action(rt.action(() => import("./logs.run.js")));
}
