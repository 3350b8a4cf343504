import { Command, InvalidArgumentError, Option } from "commander";
import type { Runtime } from "../../app/runtime.js";
import { BUILD_STATUSES } from "../../api/types.js";
import { addJsonOption, withExamples } from "../shared/options.js";

export interface LsOptions {
  limit: number;
  all?: boolean;
  status?: string[];
  quiet?: boolean;
  json?: boolean;
}

export const DEFAULT_LIMIT = 20;

export function parseLimit(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw new InvalidArgumentError("expected a whole number of at least 1 (or use --all)");
  }
  return Number(value);
}

/**
 * Known statuses, or any other plain word: the API may add statuses, so an unknown word
 * is a warning at run time, while an empty or malformed list is a usage error.
 */
function parseStatuses(value: string): string[] {
  const words = value.split(",").map((w) => w.trim().toLowerCase());
  if (words.some((w) => !/^[a-z][a-z_-]*$/.test(w))) {
    throw new InvalidArgumentError(`expected status names separated by commas, e.g. failed,expired (known: ${BUILD_STATUSES.join(", ")})`);
  }
  return [...new Set(words)];
}

export function defineLs(rt: Runtime): Command {
  const cmd = new Command("ls")
    .alias("list")
    .description("list builds, newest first")
    .argument("[prefix]", "only builds whose ID starts with PREFIX (- reads it from stdin)")
    .option("-n, --limit <n>", "show at most N builds", parseLimit, DEFAULT_LIMIT)
    .addOption(new Option("--all", "show all builds (no limit)").conflicts("limit"))
    .option("--status <s[,s...]>", `only builds with these statuses (${BUILD_STATUSES.join(", ")})`, parseStatuses)
    .addOption(new Option("-q, --quiet", "print build IDs only, one per line").conflicts("json"));
  addJsonOption(cmd);
  withExamples(cmd, ["valar builds ls", "valar builds ls --status failed,expired -n 5", "valar builds ls -q | head -1"]);
  return cmd.action(rt.action(() => import("./ls.run.js")));
}
