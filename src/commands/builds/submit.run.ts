import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Ctx } from "../../context.js";
import { InterruptedError, NotFoundError, OperationError, UsageError, ValarError, withHint } from "../../errors.js";
import { type EnvironmentEntry, type SubmitBuildRequest, type SubmitBuildResponse } from "../../api/types.js";
import type { BuildsApi } from "../../api/builds.js";
import type { ValarYml } from "../../settings/types.js";
import { mergeEnvironment, parseEnvPairs } from "../../settings/env-pairs.js";
import { parseDuration } from "../../util/duration.js";
import { waitForBuild } from "../../builds/wait.js";
import { WaitEvents, writeGithubOutput } from "../../builds/events.js";
import { oneLine } from "../../output/text.js";
import { IgnoreRules } from "../../archive/ignore-rules.js";
import { describeFsError, listFiles, packDirectory, readDirectory } from "../../archive/pack.js";
import { checkArchiveSize } from "../../archive/limit.js";
import { packedDependencyDirs } from "../../archive/dependency-dirs.js";
import { checkConstructorName, describeConstructors } from "../../builds/constructor.js";
import { createProgressBar, formatBytes } from "../../output/progress.js";
import { startSpinner } from "../../output/spinner.js";
import type { SubmitOptions } from "./submit.js";

/** The parts of a submission that come from flags and .valar.yml, checked before any request. */
interface SubmitPlan {
  constructorName: string;
  buildEnvironment: EnvironmentEntry[];
  deployEnvironment: EnvironmentEntry[];
  skipDeploy: boolean;
}

export async function run(ctx: Ctx, args: string[], opts: SubmitOptions): Promise<number> {
  checkFlagCombinations(opts);
  const dir = args[0] ?? ".";
  // Malformed KEY=VALUE is a usage error even for --dry-run: nothing is sent either way.
  const buildEnvFlags = parseEnvPairs(opts.buildEnv ?? [], "--build-env");
  const deployEnvFlags = parseEnvPairs(opts.env ?? [], "--env");
  if (opts.timeout !== undefined) parseDuration(opts.timeout);
  const settings = await ctx.settings();
  const yml = settings.valarYml;
  // Every object has a `constructor` (Object): only a string is the -c flag's value.
  const constructorName = (typeof opts.constructor === "string" ? opts.constructor : undefined) ?? yml?.build.constructor;
  // Checked before packaging (even for --dry-run when one is named): an unknown name would
  // otherwise be found only after the upload.
  if (constructorName !== undefined) checkConstructorName(constructorName);

  if (opts.dryRun) return dryRun(ctx, dir, opts, yml);

  const plan: SubmitPlan = {
    constructorName: requireConstructor(constructorName),
    buildEnvironment: mergeEnvironment(yml?.build.environment ?? [], buildEnvFlags),
    deployEnvironment: mergeEnvironment(yml?.deployment.environment ?? [], deployEnvFlags),
    skipDeploy: opts.deploy === false || yml?.deployment.skip === true,
  };
  // Project, service and token are checked before packaging, so a misconfiguration fails fast.
  const api = await ctx.builds();
  const artifact = opts.artifact ?? (await nothingSubmittedOnInterrupt(ctx, packAndUpload(ctx, api, dir, opts, yml)));
  const submitted = await submitBuild(api, submitRequest(artifact, plan), opts.artifact !== undefined);

  const waiting = opts.follow || opts.wait;
  const events = new WaitEvents(ctx.io, opts.json === true && waiting === true, () => ctx.clock.now());
  if (events.enabled) events.submitted(submitted);
  else if (opts.json) ctx.io.printJson(submitted);
  else ctx.io.println(submitted.id);
  if (ctx.io.stderrIsTTY) ctx.io.success(successNote(submitted, plan.skipDeploy));
  const version = plan.skipDeploy ? null : versionNumber(submitted.deployment);

  if (!waiting) {
    writeGithubOutput(ctx.env, ctx.io, { buildId: submitted.id, status: "pending", deployment: version ?? undefined });
    return 0;
  }
  return waitForBuild(ctx, api, submitted.id, {
    mode: opts.follow ? "follow" : "spinner",
    timeout: opts.timeout,
    abortOnInterrupt: opts.abortOnInterrupt,
    failedLines: opts.failedLines,
    noWaitDeploy: opts.waitDeploy === false,
    deployment: version,
    seenStatus: submitted.status,
    events,
  });
}

/** Ctrl-C or SIGTERM while packing or uploading: say that no build exists because of it. */
async function nothingSubmittedOnInterrupt<T>(ctx: Ctx, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    const reason: unknown = ctx.signal.reason;
    if (ctx.signal.aborted && reason instanceof InterruptedError) throw reason.with("interrupted; nothing was submitted");
    throw err;
  }
}

/**
 * POST …/builds. Its failure after an upload names the artifact key, so the retry need not
 * pack and upload again; with --artifact, a key the server does not know is said as such.
 */
async function submitBuild(api: BuildsApi, body: SubmitBuildRequest, keyGiven: boolean): Promise<SubmitBuildResponse> {
  try {
    return await api.submit(body);
  } catch (err) {
    if (!(err instanceof ValarError)) throw err;
    if (keyGiven) {
      if (err instanceof NotFoundError && /artifact/i.test(err.message)) {
        throw new NotFoundError(`artifact "${body.artifact}" not found: --artifact takes the key of an earlier upload`, {
          hint: "package and upload the directory instead: valar builds submit DIR",
        });
      }
      throw err;
    }
    const retry = `retry with --artifact ${body.artifact} (it is uploaded)`;
    if (err instanceof InterruptedError) throw withHint(err, `the build may have been submitted (valar builds ls); if not, ${retry}`);
    throw withHint(err, err.hint ? `${err.hint}; then ${retry}` : retry);
  }
}

function checkFlagCombinations(opts: SubmitOptions): void {
  if (opts.artifact !== undefined) {
    if (opts.dryRun) throw new UsageError("--dry-run packages nothing when --artifact is given");
    if (opts.ignore?.length) throw new UsageError("--ignore has no effect with --artifact: nothing is packaged");
  }
  if (opts.json && opts.follow) {
    throw new UsageError("--json cannot be combined with -f/--follow: the logs would follow the JSON on stdout", {
      hint: "use -w/--wait to wait without logs, or drop --json",
    });
  }
}

function requireConstructor(name: string | undefined): string {
  if (name) return name;
  throw new UsageError("no constructor given", {
    hint: `pass -c NAME or set build.constructor in .valar.yml; known constructors: ${describeConstructors()}`,
  });
}

function submitRequest(artifact: string, plan: SubmitPlan): SubmitBuildRequest {
  const body: SubmitBuildRequest = { artifact, build: { constructor: plan.constructorName } };
  if (plan.buildEnvironment.length > 0) body.build.environment = plan.buildEnvironment;
  if (plan.skipDeploy || plan.deployEnvironment.length > 0) {
    body.deployment = {};
    if (plan.skipDeploy) body.deployment.skip = true;
    if (plan.deployEnvironment.length > 0) body.deployment.environment = plan.deployEnvironment;
  }
  return body;
}

/** Before the build's end its deployment is only what it will become. */
function successNote(submitted: SubmitBuildResponse, skipDeploy: boolean): string {
  const deployment = !skipDeploy && submitted.deployment ? `; it will deploy as ${oneLine(submitted.deployment)}` : "";
  return `submitted build ${submitted.id.slice(0, 8)}${deployment}`;
}

/** The submit answer's "v13" as 13; null when it names none (the build deploys nothing). */
function versionNumber(label: string | undefined): number | null {
  const m = /^v?(\d+)$/.exec(label ?? "");
  return m ? Number(m[1]) : null;
}

async function listDirectory(ctx: Ctx, dir: string, opts: SubmitOptions, yml: ValarYml | undefined) {
  const root = resolve(ctx.cwd, dir);
  const st = await stat(root).catch((err: NodeJS.ErrnoException) => err);
  if (st instanceof Error) {
    throw new UsageError(st.code === "ENOENT" ? `${dir} does not exist` : `cannot read ${dir}: ${describeFsError(st)}`);
  }
  if (!st.isDirectory()) throw new UsageError(`${dir} is not a directory`);
  const rules = await readDirectory(dir, () => IgnoreRules.load(root, { prefixes: yml?.build.ignore, patterns: opts.ignore }));
  const list = await listFiles(root, rules);
  for (const s of list.skipped) ctx.io.warn(`skipping ${s.path}: ${s.reason}`);
  for (const d of packedDependencyDirs(list.entries)) {
    if (rules.mentions(d.name)) continue;
    ctx.io.warn(`packing ${d.path}/ (${formatBytes(d.bytes)}), a dependency folder no ignore file mentions; add ${d.name}/ to ${rules.fileName} to leave it out`);
  }
  return { root, list };
}

function fileCount(n: number): string {
  return n === 1 ? "1 file" : `${n} files`;
}

async function dryRun(ctx: Ctx, dir: string, opts: SubmitOptions, yml: ValarYml | undefined): Promise<number> {
  const { list } = await listDirectory(ctx, dir, opts, yml);
  if (opts.json) {
    ctx.io.printJson({
      files: list.entries.map((e) => ({
        path: e.path,
        type: e.type,
        size: e.size,
        mode: e.mode.toString(8).padStart(4, "0"),
        ...(e.target === undefined ? {} : { target: e.target }),
      })),
      totalBytes: list.totalBytes,
    });
  } else {
    for (const entry of list.entries) ctx.io.println(entry.path);
  }
  ctx.io.note(`${fileCount(list.entries.length)}, ${formatBytes(list.totalBytes)} before compression (dry run: nothing uploaded)`);
  return 0;
}

async function packAndUpload(ctx: Ctx, api: BuildsApi, dir: string, opts: SubmitOptions, yml: ValarYml | undefined): Promise<string> {
  const { root, list } = await listDirectory(ctx, dir, opts, yml);
  if (list.entries.length === 0) {
    throw new OperationError(`nothing to pack in ${dir}: every file is ignored or the directory is empty`, {
      hint: "check .valarignore/.gitignore, build.ignore and --ignore; `valar builds submit --dry-run` lists what is packed",
    });
  }
  const tmp = await mkdtemp(join(tmpdir(), "valar-artifact-"));
  try {
    const archive = join(tmp, "source.tar.gz");
    const spinner = startSpinner(ctx.io, `packing ${fileCount(list.entries.length)}`);
    let bytes: number;
    try {
      ({ bytes } = await packDirectory(root, list.entries, archive, ctx.signal));
    } finally {
      spinner.stop();
    }
    checkArchiveSize(bytes);
    ctx.signal.throwIfAborted();
    const bar = createProgressBar(ctx.io, "uploading", bytes);
    try {
      const { artifact } = await api.uploadArtifact(archive, bytes, (sent) => bar.update(sent));
      bar.stop(ctx.io.canAnimate ? `${ctx.io.err.green("✓")} uploaded ${formatBytes(bytes)}` : undefined);
      return artifact;
    } finally {
      bar.stop();
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
