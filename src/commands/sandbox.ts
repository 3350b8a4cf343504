import { Command } from "commander";
import type { Runtime } from "../runtime.js";
import type { Ctx } from "../context.js";
import { OperationError, UsageError } from "../errors.js";
import { withExamples } from "./shared/options.js";

/** The flags as commander parsed them: text, checked and converted by run. */
export interface SandboxFlags {
  port: string;
  dataDir?: string;
  maxParallel: string;
  logTtl: string;
  maxUnpackedSize: string;
  maxEntries: string;
  isolation: string;
}

export function defineSandbox(rt: Runtime): Command {
  const cmd = new Command("sandbox")
    .description("run a local Valar-compatible build server on 127.0.0.1")
    .option("--port <n>", "port to listen on (0 = any free port)", "8080")
    .option("--data-dir <dir>", "where builds, logs and the token are kept (default: the user data directory)")
    .option("--max-parallel <n>", "builds that may run at once", "2")
    .option("--log-ttl <duration>", "logs older than this expire", "7d")
    .option("--max-unpacked-size <size>", "largest total an artifact may unpack to (e.g. 512M, 2G)", "1G")
    .option("--max-entries <n>", "most files, directories and links an artifact may hold", "100000")
    .option("--isolation <mode>", "how builds are contained: auto, bwrap, namespace or group", "auto");
  withExamples(cmd, [
    "valar sandbox",
    "valar sandbox --port 0 --data-dir /tmp/valar-sandbox",
    "valar sandbox --max-parallel 4 --log-ttl 1h",
    "valar sandbox --max-unpacked-size 256M --max-entries 20000",
  ]);
  cmd.addHelpText(
    "after",
    "\nIt prints its endpoint, its token and two `export VALAR_…` lines: run them in another\n" +
      "shell to point the CLI at the sandbox. Besides Valar's constructors it has `shell`, which\n" +
      "runs the archive's build.sh. Ctrl-C stops it: running builds are stopped and marked failed.\n",
  );
  return cmd.action(rt.action(run));
}

function integer(text: string, flag: string, min: number, max: number): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`invalid value "${text}" for ${flag}: expected a whole number from ${min} to ${max}`);
  return n;
}

export async function run(ctx: Ctx, _args: string[], opts: SandboxFlags): Promise<number> {
  const port = integer(opts.port, "--port", 0, 65535);
  const maxParallel = integer(opts.maxParallel, "--max-parallel", 1, 64);
  const { parseDuration } = await import("../util/duration.js");
  const logTtlMs = parseDuration(opts.logTtl, "--log-ttl");
  const { parseSize } = await import("../sandbox/size.js");
  const archiveLimits = { maxUnpackedBytes: parseSize(opts.maxUnpackedSize, "--max-unpacked-size"), maxEntries: integer(opts.maxEntries, "--max-entries", 1, 10_000_000) };
  const { CONTAINMENT_CHOICES } = await import("../sandbox/contain.js");
  const containment = CONTAINMENT_CHOICES.find((c) => c === opts.isolation);
  if (!containment) throw new UsageError(`invalid value "${opts.isolation}" for --isolation: expected ${CONTAINMENT_CHOICES.join(", ")}`);
  const { resolve } = await import("node:path");
  const dataDir = opts.dataDir ? resolve(ctx.cwd, opts.dataDir) : await defaultDataDir();

  const { startSandbox } = await import("../sandbox/server.js");
  const note = (line: string) => ctx.io.note(ctx.io.err.dim(line));
  let sandbox;
  try {
    sandbox = await startSandbox({ dataDir, port, maxParallel, logTtlMs, note, archiveLimits, containment });
  } catch (err) {
    if (err instanceof Error && err.name === "DataDirBusyError") {
      throw new OperationError(err.message, { hint: "stop it first, or pass another --data-dir" });
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new OperationError(`port ${port} is already in use`, { hint: "choose another with --port, or --port 0 for any free port" });
    if (code === "ENOSPC" || code === "EDQUOT") {
      throw new OperationError(`no space left on the disk: cannot write ${(err as NodeJS.ErrnoException).path ?? dataDir}`, { hint: "free some space, or pass another --data-dir" });
    }
    if (err instanceof Error && err.name === "ContainmentUnavailableError") throw new OperationError(err.message, { hint: "use --isolation auto to take the best this machine allows" });
    if (code === "EACCES" || code === "EPERM" || code === "ENOTDIR") {
      throw new OperationError(`cannot use ${code === "EACCES" && port ? `port ${port}` : `the data directory ${dataDir}`}: ${(err as Error).message}`);
    }
    throw err;
  }

  // Printing the token is this command's purpose: it is how the CLI gets pointed here.
  ctx.io.println(`valar sandbox listening on ${sandbox.endpoint}`);
  ctx.io.println(`export VALAR_ENDPOINT=${sandbox.endpoint}`);
  ctx.io.println(`export VALAR_TOKEN=${sandbox.token}`);
  ctx.io.note(`data directory: ${dataDir}`);
  ctx.io.note(`builds run in ${sandbox.workRoot} with ${sandbox.containment} isolation`);
  ctx.io.note(`at most ${maxParallel} build${maxParallel === 1 ? "" : "s"} at once; logs expire after ${opts.logTtl}. Press Ctrl-C to stop.`);

  await new Promise<void>((resolveStop) => {
    if (ctx.signal.aborted) resolveStop();
    ctx.signal.addEventListener("abort", () => resolveStop(), { once: true });
  });
  ctx.io.note("stopping the sandbox…");
  await sandbox.close();
  ctx.io.note("sandbox stopped");
  return 0;
}

/** The platform's place for user data (XDG_DATA_HOME, ~/Library/Application Support, %LOCALAPPDATA%). */
async function defaultDataDir(): Promise<string> {
  const { default: envPaths } = await import("env-paths");
  const { join } = await import("node:path");
  return join(envPaths("valar", { suffix: "" }).data, "sandbox");
}
