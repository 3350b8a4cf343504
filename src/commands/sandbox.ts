import { Command } from "commander";
import type { Runtime } from "../runtime.js";
import type { Ctx } from "../context.js";
import { withExamples } from "./shared/options.js";
import { notImplemented } from "./shared/not-implemented.js";

export interface SandboxOptions {
  port: string;
  dataDir?: string;
  maxParallel: string;
  logTtl: string;
}

export function defineSandbox(rt: Runtime): Command {
  const cmd = new Command("sandbox")
    .description("run a local Valar-compatible build server on 127.0.0.1")
    .option("--port <n>", "port to listen on (0 = any free port)", "8080")
    .option("--data-dir <dir>", "where builds, logs and the token are kept")
    .option("--max-parallel <n>", "builds that may run at once", "2")
    .option("--log-ttl <duration>", "logs older than this expire", "7d");
  withExamples(cmd, ["valar sandbox", "valar sandbox --port 0 --data-dir /tmp/valar-sandbox"]);
  return cmd.action(rt.action(run));
}

export async function run(_ctx: Ctx, _args: string[], _opts: SandboxOptions): Promise<number> {
  return notImplemented("sandbox");
}
