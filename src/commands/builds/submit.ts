import { Command } from "commander";
import type { Runtime } from "../../app/runtime.js";
import {
  addDeployWaitOption,
  addJsonOption,
  addWaitOptions,
  collect,
  withExamples,
  type DeployWaitOptions,
  type WaitOptions,
} from "../shared/options.js";

export interface SubmitOptions extends WaitOptions, DeployWaitOptions {
  constructor?: string;
  artifact?: string;
  buildEnv?: string[];
  env?: string[];
  deploy: boolean;
  ignore?: string[];
  dryRun?: boolean;
  /** false with --no-reuse: upload even when the source is unchanged. */
  reuse: boolean;
  follow?: boolean;
  wait?: boolean;
  json?: boolean;
}

export function defineSubmit(rt: Runtime): Command {
  const cmd = new Command("submit")
    .description("package a directory, upload it and submit a build")
    .argument("[dir]", "directory to package", ".")
    .option("-c, --constructor <name>", "constructor (stack) to build with; default: .valar.yml build.constructor")
    .option("--artifact <key>", "submit an already uploaded artifact; nothing is packaged")
    .option("--build-env <KEY=VALUE>", "build-time environment variable (repeatable)", collect)
    .option("--env <KEY=VALUE>", "deployment environment variable (repeatable)", collect)
    .option("--no-deploy", "build without deploying (deployment.skip)")
    .option("--ignore <pattern>", "gitignore-style pattern to leave out, relative to dir (repeatable)", collect)
    .option("--dry-run", "list what would be packed and its size; upload nothing")
    .option("--no-reuse", "upload even when the source is unchanged since the last upload")
    .option("-f, --follow", "then stream the build's logs until it ends; exit with its outcome")
    .option("-w, --wait", "then wait for the build to end (no logs); exit with its outcome (-f wins over -w)");
  addWaitOptions(cmd);
  addDeployWaitOption(cmd);
  addJsonOption(cmd, "print the submit answer as JSON; with -w, NDJSON events ending in a result event");
  withExamples(cmd, [
    "valar builds submit --constructor golang -f",
    "id=$(valar builds submit -c node --no-deploy)",
    "valar builds submit ./web -c static --env API_URL=https://api.example.com -w",
    "valar builds submit --dry-run",
  ]);
  return cmd.action(rt.action(() => import("./submit.run.js")));
}
