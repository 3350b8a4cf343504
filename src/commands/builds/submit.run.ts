import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Ctx } from "../../app/context.js";
import { InterruptedError, NotFoundError, OperationError, UsageError, ValarError, withHint } from "../../errors.js";
import { type EnvironmentEntry, type SubmitBuildRequest, type SubmitBuildResponse } from "../../api/types.js";
import type { BuildsApi } from "../../api/builds.js";
import type { ValarYml } from "../../settings/settings-types.js";
import { mergeEnvironment, parseEnvPairs } from "../../settings/env-pairs.js";
import { waitForBuild } from "../../builds/wait-build.js";
import { WaitEvents, writeGithubOutput } from "../../builds/events.js";
import { oneLine } from "../../output/text.js";
import { IgnoreRules } from "../../archive/ignore-rules.js";
import { describeFsError, listFiles, packTree, readDirectory, type PackResult } from "../../archive/pack.js";
import { checkArchiveSize } from "../../archive/limit.js";
import { packedDependencyDirs, type PackedDependencyDir } from "../../archive/dependency-dirs.js";
import { ArtifactCache, cacheDir, type ArtifactScope } from "../../archive/artifact-cache.js";
import { isNotSentError, isTransportError } from "../../api/http-errors.js";
import { checkConstructorName, describeConstructors } from "../../builds/constructor.js";
import { createProgressBar, formatBytes, formatCount, formatProgressBytes, startPackingLine } from "../../output/progress.js";
import { escapeControl } from "../../output/text.js";
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
  // The submitted directory's own .valar.yml, not the one of wherever the command runs.
  ctx = ctx.withValarYmlFrom(resolve(ctx.cwd, dir));
  // Malformed KEY=VALUE is a usage error even for --dry-run: nothing is sent either way.
  const buildEnvFlags = parseEnvPairs(opts.buildEnv ?? [], "--build-env");
  const deployEnvFlags = parseEnvPairs(opts.env ?? [], "--env");
  const settings = await ctx.settings();
  const yml = settings.valarYml;
  // Every object has a `constructor` (Object): only a string is the -c flag's value.
  const flagConstructor = typeof opts.constructor === "string" ? opts.constructor : undefined;
  const constructorName = flagConstructor ?? yml?.build.constructor;
  // Checked before packaging (even for --dry-run when one is named): an unknown name would
  // otherwise be found only after the upload.
  if (constructorName !== undefined) checkConstructorName(constructorName, flagConstructor !== undefined ? "-c" : `${yml!.path} build.constructor`);

  if (opts.dryRun) return dryRun(ctx, dir, opts, yml);

  const plan: SubmitPlan = {
    constructorName: requireConstructor(constructorName),
    buildEnvironment: mergeEnvironment(yml?.build.environment ?? [], buildEnvFlags),
    deployEnvironment: mergeEnvironment(yml?.deployment.environment ?? [], deployEnvFlags),
    skipDeploy: opts.deploy === false || yml?.deployment.skip === true,
  };
  // Project, service and token are checked before packaging, so a misconfiguration fails fast.
  const api = await ctx.builds();
  const { submitted, artifact } =
    opts.artifact !== undefined
      ? { artifact: opts.artifact, submitted: await submitBuild(api, submitRequest(opts.artifact, plan), true) }
      : await submitSource(ctx, api, dir, opts, yml, plan);

  const waiting = opts.follow || opts.wait;
  const events = new WaitEvents(ctx.io, opts.json === true && waiting === true, () => ctx.clock.now());
  if (events.enabled) events.submitted({ ...submitted, artifact });
  else if (opts.json) ctx.io.printJson({ ...submitted, artifact });
  else ctx.io.println(submitted.id);
  if (ctx.io.stderrIsTTY) ctx.io.success(successNote(submitted, artifact, plan.skipDeploy));
  // Off a terminal the key is news only when this submit packed the source: a CI log then
  // shows which artifact a build came from (with --artifact the command line says it).
  else if (opts.artifact === undefined) ctx.io.note(successNote(submitted, artifact, plan.skipDeploy));
  const version = plan.skipDeploy ? null : versionNumber(submitted.deployment);

  if (!waiting) {
    writeGithubOutput(ctx.env, ctx.io, { buildId: submitted.id, status: "pending", deployment: version ?? undefined });
    return 0;
  }
  return waitForBuild(ctx, api, submitted.id, {
    mode: opts.follow ? "follow" : "spinner",
    // With --json every log entry is an event among the others: {"event":"log",…entry}.
    view: opts.json ? { json: true, events: true } : undefined,
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
 * When the request left and no answer came (Ctrl-C, a connection reset), the build may
 * exist: the hint says so before suggesting another try.
 */
async function submitBuild(api: BuildsApi, body: SubmitBuildRequest, keyGiven: boolean): Promise<SubmitBuildResponse> {
  try {
    return await api.submit(body);
  } catch (err) {
    throw submitFailure(err, body, keyGiven);
  }
}

function submitFailure(err: unknown, body: SubmitBuildRequest, keyGiven: boolean): unknown {
  if (!(err instanceof ValarError)) return err;
  const mayExist = err instanceof InterruptedError || (isTransportError(err) && !isNotSentError(err.cause));
  if (keyGiven) {
    if (isArtifactNotFound(err)) {
      return new NotFoundError(`artifact "${body.artifact}" not found: --artifact takes the key of an earlier upload`, {
        hint: "package and upload the directory instead: valar builds submit DIR",
      });
    }
    return mayExist ? withHint(err, "the build may have been submitted: check with valar builds ls before trying again") : err;
  }
  const retry = `retry with --artifact ${body.artifact} (it is uploaded)`;
  if (mayExist) return withHint(err, `the build may have been submitted (valar builds ls); if not, ${retry}`);
  return withHint(err, err.hint ? `${err.hint}; then ${retry}` : retry);
}

function isArtifactNotFound(err: unknown): boolean {
  return err instanceof NotFoundError && /artifact/i.test(err.message);
}

function checkFlagCombinations(opts: SubmitOptions): void {
  if (opts.artifact !== undefined) {
    if (opts.dryRun) throw new UsageError("--dry-run packages nothing when --artifact is given");
    if (opts.ignore?.length) throw new UsageError("--ignore has no effect with --artifact: nothing is packaged");
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
function successNote(submitted: SubmitBuildResponse, artifact: string, skipDeploy: boolean): string {
  const deployment = !skipDeploy && submitted.deployment ? `; it will deploy as ${oneLine(submitted.deployment)}` : "";
  return `submitted build ${submitted.id.slice(0, 8)} from artifact ${artifact}${deployment}`;
}

/** The submit answer's "v13" as 13; null when it names none (the build deploys nothing). */
function versionNumber(label: string | undefined): number | null {
  const m = /^v?(\d+)$/.exec(label ?? "");
  return m ? Number(m[1]) : null;
}

async function loadRules(ctx: Ctx, dir: string, opts: SubmitOptions, yml: ValarYml | undefined) {
  const root = resolve(ctx.cwd, dir);
  const st = await stat(root).catch((err: NodeJS.ErrnoException) => err);
  if (st instanceof Error) {
    throw new UsageError(st.code === "ENOENT" ? `${dir} does not exist` : `cannot read ${dir}: ${describeFsError(st)}`);
  }
  if (!st.isDirectory()) throw new UsageError(`${dir} is not a directory`);
  const rules = await readDirectory(dir, () =>
    IgnoreRules.load(root, { prefixes: yml?.build.ignore, patterns: opts.ignore, warn: (m) => ctx.io.warn(m) }),
  );
  return { root, rules };
}

/** What the walk left out, and the dependency folders it packed that no rule mentions. */
function warnAboutPacking(ctx: Ctx, rules: IgnoreRules, skipped: PackResult["skipped"], dependencyDirs: readonly PackedDependencyDir[]): void {
  for (const s of skipped) ctx.io.warn(`skipping ${s.path}: ${s.reason}`);
  for (const d of dependencyDirs) {
    if (rules.mentions(d.name)) continue;
    ctx.io.warn(
      `packing ${d.path}/ (${formatBytes(d.bytes)}), a dependency folder no ignore file mentions; add ${d.name}/ to ${rules.fileName} to leave it out`,
    );
  }
}

function fileCount(n: number): string {
  return n === 1 ? "1 file" : `${formatCount(n)} files`;
}

async function dryRun(ctx: Ctx, dir: string, opts: SubmitOptions, yml: ValarYml | undefined): Promise<number> {
  const { root, rules } = await loadRules(ctx, dir, opts, yml);
  const list = await listFiles(root, rules);
  warnAboutPacking(ctx, rules, list.skipped, packedDependencyDirs(list.entries));
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
    // A name may hold a newline or a bidi control: one line per file, shown as it is named.
    ctx.io.println(list.entries.map((e) => escapeControl(e.path)).join("\n"));
  }
  ctx.io.note(`settings: ${yml ? yml.path : "no .valar.yml"}`);
  ctx.io.note(`ignore rules: ${rules.describeSources()}`);
  ctx.io.note(`${fileCount(list.entries.length)}, ${formatBytes(list.totalBytes)} before compression (dry run: nothing uploaded)`);
  return 0;
}

/**
 * Packs `dir`, then either reuses the artifact of an identical earlier upload (same digest,
 * same endpoint, project and service) or uploads it, and submits. A remembered artifact
 * the server no longer knows is uploaded from the archive already packed, and the build
 * submitted again: the first submission was refused, so there is still only one build.
 */
async function submitSource(ctx: Ctx, api: BuildsApi, dir: string, opts: SubmitOptions, yml: ValarYml | undefined, plan: SubmitPlan) {
  const settings = await ctx.settings();
  const scope: ArtifactScope = { endpoint: settings.endpoint.value, project: settings.project?.value ?? "", service: settings.service?.value ?? "" };
  const cache = new ArtifactCache(cacheDir(ctx.env));
  const tmp = await mkdtemp(join(tmpdir(), "valar-artifact-"));
  try {
    const archive = join(tmp, "source.tar.gz");
    const packed = await nothingSubmittedOnInterrupt(ctx, packSource(ctx, dir, opts, yml, archive));
    const known = opts.reuse === false ? undefined : cache.lookup(scope, packed.digest);
    if (known !== undefined) {
      ctx.io.note(`source unchanged: reusing artifact ${shortKey(known)} (--no-reuse to upload)`);
      const body = submitRequest(known, plan);
      try {
        return { artifact: known, submitted: await api.submit(body) };
      } catch (err) {
        if (!isArtifactNotFound(err)) throw submitFailure(err, body, false);
        ctx.io.note(`the server no longer has artifact ${shortKey(known)}: uploading`);
      }
    }
    const artifact = await nothingSubmittedOnInterrupt(ctx, uploadArchive(ctx, api, archive, packed.archiveBytes));
    cache.remember(scope, packed.digest, artifact, ctx.clock.now());
    return { artifact, submitted: await submitBuild(api, submitRequest(artifact, plan), false) };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** "af7b2c91d0e4…": enough of a key to recognise it; the whole one ends the submit. */
function shortKey(key: string): string {
  return key.length > 12 ? `${key.slice(0, 12)}…` : key;
}

async function packSource(ctx: Ctx, dir: string, opts: SubmitOptions, yml: ValarYml | undefined, archive: string): Promise<PackResult> {
  const { root, rules } = await loadRules(ctx, dir, opts, yml);
  const line = startPackingLine(ctx.io, `${dir} (ignore rules: ${rules.describeSources()})`, () => ctx.clock.now());
  let packed: PackResult;
  try {
    packed = await packTree(root, rules, archive, { signal: ctx.signal, onProgress: (p) => line.update(p.files, p.bytes) });
  } catch (err) {
    line.stop();
    throw err;
  }
  line.stop(
    packed.files > 0
      ? `${fileCount(packed.files)}, ${formatProgressBytes(packed.bytes)} → ${formatProgressBytes(packed.archiveBytes)} compressed`
      : undefined,
  );
  warnAboutPacking(ctx, rules, packed.skipped, packed.dependencyDirs);
  if (packed.files === 0) {
    throw new OperationError(`nothing to pack in ${dir}: every file is ignored or the directory is empty`, {
      hint: "check .valarignore/.gitignore, build.ignore and --ignore; `valar builds submit --dry-run` lists what is packed",
    });
  }
  checkArchiveSize(packed.archiveBytes);
  ctx.signal.throwIfAborted();
  return packed;
}

async function uploadArchive(ctx: Ctx, api: BuildsApi, archive: string, bytes: number): Promise<string> {
  const bar = createProgressBar(ctx.io, "uploading", bytes, () => ctx.clock.now());
  try {
    const { artifact } = await api.uploadArtifact(archive, bytes, (sent) => bar.update(sent));
    bar.stop(ctx.io.canAnimate ? `${ctx.io.err.green("✓")} uploaded ${formatBytes(bytes)}` : undefined);
    return artifact;
  } finally {
    bar.stop();
  }
}
