import { InvalidArgumentError, Option, type Command } from "commander";
import { durationFlag, type Duration } from "../../util/duration.js";

/** Options every waiting command (submit -f/-w, logs -f, watch) shares. */
export interface WaitOptions {
  timeout?: Duration;
  abortOnInterrupt?: boolean;
  failedLines?: number;
}

/** Options of the commands that also wait for the build's deployment (submit -f/-w, watch). */
export interface DeployWaitOptions {
  /** false with --no-wait-deploy. */
  waitDeploy?: boolean;
}

export function addWaitOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option("--timeout <duration>", "stop waiting after DURATION (90s, 15m, 1h); exit 124, the build goes on").argParser(
        durationFlag("--timeout"),
      ),
    )
    .option("--abort-on-interrupt", "on Ctrl-C or SIGTERM, abort the build before exiting")
    .option("--failed-lines <n>", "lines of a failed build's output to show at its end (0: none)", parseCount, 20);
}

export function addDeployWaitOption(cmd: Command): Command {
  return cmd.option("--no-wait-deploy", "stop at the build's end instead of waiting for its deployment to be live");
}

/** `deploys create|rollback`: wait for the new deployment to leave pending. */
export function addDeployCommandWaitOptions(cmd: Command): Command {
  return cmd
    .option("-w, --wait", "then wait until the deployment is live; exit 0 when done, 3 when failed")
    .addOption(
      new Option("--timeout <duration>", "with -w: stop waiting after DURATION (90s, 15m, 1h); exit 124, the deployment goes on").argParser(
        durationFlag("--timeout"),
      ),
    );
}

/** A whole number ≥ 0. */
function parseCount(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError("expected a whole number, e.g. 20");
  return Number(value);
}

export function addJsonOption(cmd: Command, description = "print JSON (the API's own objects) on stdout"): Command {
  return cmd.option("--json", description);
}

/** Collects a repeatable option into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export { withExamples } from "./help-layout.js";
