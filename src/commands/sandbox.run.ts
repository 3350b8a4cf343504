import { join, resolve } from "node:path";
import envPaths from "env-paths";
import type { Ctx } from "../app/context.js";
import { OperationError, UsageError } from "../errors.js";
import { parseDuration } from "../util/duration.js";
import { parseSize } from "./shared/parse-size.js";
import { CONTAINMENT_CHOICES } from "../sandbox/run/contain.js";
import { startSandbox } from "../sandbox/http/server.js";
import type { SandboxFlags } from "./sandbox.js";

function integer(text: string, flag: string, min: number, max: number): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`invalid value "${text}" for ${flag}: expected a whole number from ${min} to ${max}`);
  return n;
}

export async function run(ctx: Ctx, _args: string[], opts: SandboxFlags): Promise<number> {
  const port = integer(opts.port, "--port", 0, 65535);
  const maxParallel = integer(opts.maxParallel, "--max-parallel", 1, 64);
  const logTtlMs = parseDuration(opts.logTtl, "--log-ttl");
  const archiveLimits = {
    maxUnpackedBytes: parseSize(opts.maxUnpackedSize, "--max-unpacked-size"),
    maxEntries: integer(opts.maxEntries, "--max-entries", 1, 10_000_000),
  };
  const maxLogBytes = parseSize(opts.maxLogSize, "--max-log-size");
  const containment = CONTAINMENT_CHOICES.find((c) => c === opts.isolation);
  if (!containment) throw new UsageError(`invalid value "${opts.isolation}" for --isolation: expected ${CONTAINMENT_CHOICES.join(", ")}`);
  const dataDir = opts.dataDir ? resolve(ctx.cwd, opts.dataDir) : defaultDataDir();

  const note = (line: string) => ctx.io.note(ctx.io.err.dim(line));
  let sandbox;
  try {
    sandbox = await startSandbox({ dataDir, port, maxParallel, logTtlMs, note, archiveLimits, containment, maxLogBytes });
  } catch (err) {
    if (err instanceof Error && err.name === "DataDirBusyError") {
      throw new OperationError(err.message, { hint: "stop it first, or pass another --data-dir" });
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE")
      throw new OperationError(`port ${port} is already in use`, { hint: "choose another with --port, or --port 0 for any free port" });
    if (code === "ENOSPC" || code === "EDQUOT") {
      throw new OperationError(`no space left on the disk: cannot write ${(err as NodeJS.ErrnoException).path ?? dataDir}`, {
        hint: "free some space, or pass another --data-dir",
      });
    }
    if (err instanceof Error && err.name === "ContainmentUnavailableError")
      throw new OperationError(err.message, { hint: "use --isolation auto to take the best this machine allows" });
    if (code === "EACCES" || code === "EPERM" || code === "ENOTDIR") {
      throw new OperationError(
        `cannot use ${code === "EACCES" && port ? `port ${port}` : `the data directory ${dataDir}`}: ${(err as Error).message}`,
      );
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
function defaultDataDir(): string {
  return join(envPaths("valar", { suffix: "" }).data, "sandbox");
}
