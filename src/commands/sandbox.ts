import { Command } from "commander";
import type { Runtime } from "../app/runtime.js";
import { withExamples } from "./shared/options.js";
import { localCommand, withParagraph } from "./shared/help-layout.js";

/** The flags as commander parsed them: text, checked and converted by run. */
export interface SandboxFlags {
  port: string;
  dataDir?: string;
  maxParallel: string;
  logTtl: string;
  maxUnpackedSize: string;
  maxEntries: string;
  maxLogSize: string;
  isolation: string;
}

export function defineSandbox(rt: Runtime): Command {
  const cmd = localCommand(new Command("sandbox"))
    .description("run a local Valar-compatible build server on 127.0.0.1")
    .option("--port <n>", "port to listen on (0 = any free port)", "8080")
    .option("--data-dir <dir>", "where builds, logs and the token are kept (default: the user data directory)")
    .option("--max-parallel <n>", "builds that may run at once", "2")
    .option("--log-ttl <duration>", "logs older than this expire", "7d")
    .option("--max-unpacked-size <size>", "largest total an artifact may unpack to (e.g. 512M, 2G)", "1G")
    .option("--max-entries <n>", "most files, directories and links an artifact may hold", "100000")
    .option("--max-log-size <size>", "most output one build may log; past it the build fails (e.g. 64M)", "64M")
    .option("--isolation <mode>", "how builds are contained: auto, bwrap, namespace or group", "auto");
  withExamples(cmd, [
    "valar sandbox",
    "valar sandbox --port 0 --data-dir /tmp/valar-sandbox",
    "valar sandbox --max-parallel 4 --log-ttl 1h",
    "valar sandbox --max-unpacked-size 256M --max-entries 20000",
  ]);
  withParagraph(
    cmd,
    "It prints its endpoint, its token and two `export VALAR_…` lines: run them in another " +
      "shell to point the CLI at the sandbox. Besides Valar's constructors it has `shell`, which " +
      "runs the archive's build.sh. Ctrl-C stops it: running builds are stopped and marked failed.",
  );
  return cmd.action(rt.action(() => import("./sandbox.run.js"), { offline: true }));
}
