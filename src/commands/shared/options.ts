import { Option, type Command } from "commander";

/** Options every waiting command (submit -f/-w, logs -f, watch) shares. */
export interface WaitOptions {
  timeout?: string;
  abortOnInterrupt?: boolean;
}

export function addWaitOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option("--timeout <duration>", "stop waiting after DURATION (90s, 15m, 1h); exit 124, the build goes on"))
    .option("--abort-on-interrupt", "on Ctrl-C or SIGTERM, abort the build before exiting");
}

export function addJsonOption(cmd: Command, description = "print JSON (the API's own objects) on stdout"): Command {
  return cmd.option("--json", description);
}

/** Collects a repeatable option into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export { withExamples } from "./help-layout.js";
