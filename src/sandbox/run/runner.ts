import { spawn, type ChildProcess } from "node:child_process";
import type { Writable } from "node:stream";
import { statSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { LogCapError, type LogBook, type LogStage } from "../store/log-book.js";
import type { BuildRecord, Store } from "../store/build-store.js";
import { ConstructorError, findOnPath, planBuild, type Step } from "./constructors.js";
import { DEFAULT_ARCHIVE_LIMITS, UnsafeArchiveError, unpackArchive, type ArchiveLimits } from "./unpack.js";
import type { BuildDirs, Containment } from "./contain.js";
import { isDiskFull } from "../store/atomic-files.js";
import { killByBuildId, signalGroup, startTimeOf } from "./procs.js";
import { connectBuildNetwork } from "./network.js";

export interface RunnerOptions {
  store: Store;
  logs: LogBook;
  maxParallel: number;
  /** How each step's processes are held together (and apart from the host). */
  containment: Containment;
  archiveLimits?: ArchiveLimits;
  /** Grace between SIGTERM and SIGKILL when a build's processes are stopped. */
  killGraceMs?: number;
  /** Called once a build is done or failed (deployment follows from here). */
  onFinished(build: BuildRecord): void;
  /** The sandbox's own notes (its stderr). */
  note(line: string): void;
}

interface Active {
  child?: ChildProcess;
  /** Set when the build must stop: the error it ends with. */
  stopReason?: string;
  finished: Promise<void>;
}

/** The errors of the builds a stopping sandbox cuts short (or a crashed one left behind). */
export const STOPPED_BEFORE_START = "the sandbox stopped before the build started";
export const STOPPED_WHILE_RUNNING = "the sandbox stopped while the build was running";
const DISK_FULL = "no space left on the sandbox's disk: the build log could not be written";

/** How often a build state that could not be written (a full disk) is tried again. */
const SAVE_RETRY_MS = 2000;

/** How long a step's output may trail its exit (a background process holding the pipes). */
const OUTPUT_GRACE_MS = 1000;

/** Ends a build's steps early: the reason becomes the build's error. */
class BuildFailure extends Error {}

/**
 * Runs builds: at most maxParallel at once, the rest wait pending in submission order.
 * Each step is a child process in its own process group, so stopping a build kills
 * everything it started.
 */
export class Runner {
  private readonly queue: string[] = [];
  private readonly active = new Map<string, Active>();
  private closed = false;

  constructor(private readonly opts: RunnerOptions) {
    opts.logs.onWriteFailure((id, err) => {
      const reason = isDiskFull(err) ? DISK_FULL : err instanceof LogCapError ? err.message : `its log could not be written: ${err.message}`;
      opts.note(`build ${id}: ${reason}`);
      void this.abort(id, reason);
    });
  }

  enqueue(id: string): void {
    this.queue.push(id);
    this.pump();
  }

  /** Stops a pending or running build; resolves once it is final. */
  async abort(id: string, reason: string): Promise<void> {
    const queued = this.queue.indexOf(id);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      const build = this.opts.store.getBuild(id);
      if (build) this.finish(build, "failed", reason);
      return;
    }
    const run = this.active.get(id);
    if (!run) return;
    run.stopReason ??= reason;
    if (run.child) this.killGroup(id, run.child);
    await run.finished;
  }

  /** Stops everything: running builds and waiting ones end failed. */
  async shutdown(): Promise<void> {
    this.closed = true;
    clearInterval(this.retryTimer);
    for (const id of this.queue.splice(0)) {
      const build = this.opts.store.getBuild(id);
      if (build) this.finish(build, "failed", STOPPED_BEFORE_START);
    }
    await Promise.all([...this.active.keys()].map((id) => this.abort(id, STOPPED_WHILE_RUNNING)));
  }

  /**
   * Last resort when the process exits without a clean shutdown (a second Ctrl-C): the
   * builds' process groups are detached, so they would outlive the sandbox otherwise.
   */
  killAllNow(): void {
    for (const [id, run] of this.active) this.killNow(id, run.child);
  }

  private killNow(id: string, child: ChildProcess | undefined): void {
    if (child?.pid !== undefined) signalGroup(child.pid, "SIGKILL");
    if (this.opts.containment.mode === "group") killByBuildId(id);
  }

  private pump(): void {
    while (!this.closed && this.active.size < this.opts.maxParallel && this.queue.length > 0) {
      const id = this.queue.shift()!;
      const build = this.opts.store.getBuild(id);
      if (!build || build.status !== "pending") continue;
      const run: Active = { finished: Promise.resolve() };
      this.active.set(id, run);
      run.finished = this.run(build, run)
        .catch((err: unknown) => this.opts.note(`build ${id}: ${(err as Error).stack ?? String(err)}`))
        .finally(() => {
          this.active.delete(id);
          this.pump();
        });
    }
  }

  private log(id: string, stage: LogStage, content: string): void {
    this.opts.logs.append(id, "WRAPPER", stage, content);
  }

  private async run(build: BuildRecord, run: Active): Promise<void> {
    const { store } = this.opts;
    build.status = "running";
    this.save(build);
    this.opts.note(`build ${build.id} (${build.project}/${build.service}) running`);
    const dirs = store.buildDirs(build.id);
    let error = "";
    try {
      this.log(build.id, "SETUP", `build ${build.id} started (constructor ${build.constructor}, ${this.opts.containment.mode} containment)`);
      // Its log broke while it waited (a full disk): running it would lose all its output.
      if (this.opts.logs.writeFailed(build.id)) throw new BuildFailure(DISK_FULL);
      await rm(dirs.root, { recursive: true, force: true });
      for (const dir of [dirs.src, dirs.home, dirs.tmp]) await mkdir(dir, { recursive: true, mode: 0o700 });
      const artifact = store.artifactPath(build.artifact);
      this.log(build.id, "SETUP", `unpacking artifact ${build.artifact} (${statSync(artifact).size} bytes)`);
      const entries = await unpackArchive(artifact, dirs.src, this.opts.archiveLimits ?? DEFAULT_ARCHIVE_LIMITS);
      this.log(build.id, "SETUP", `unpacked ${entries} entr${entries === 1 ? "y" : "ies"}`);
      await this.opts.containment.prepare?.(dirs);
      this.checkStopped(run);
      const plan = planBuild(build.constructor, dirs.src);
      for (const note of plan.notes) this.log(build.id, "SETUP", note);
      const env = buildEnvironment(build, dirs);
      for (const step of plan.steps) {
        this.checkStopped(run);
        await this.runStep(build, run, step, dirs, env);
      }
      this.checkStopped(run);
    } catch (err) {
      error = run.stopReason ?? failureMessage(err);
      if (!(err instanceof BuildFailure || err instanceof UnsafeArchiveError || err instanceof ConstructorError)) {
        if (!run.stopReason) this.opts.note(`build ${build.id}: ${(err as Error).stack ?? String(err)}`);
      }
      this.log(build.id, "TURNDOWN", `build failed: ${error}`);
    }
    // Moved aside at once and deleted after the build is final: a large tree (node_modules)
    // must not hold up an abort's answer. A restart removes whatever is left of it.
    const trash = `${dirs.root}.removed`;
    try {
      await rename(dirs.root, trash).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== "ENOENT") throw err;
      });
      this.log(build.id, "TURNDOWN", error ? "workspace removed" : "build succeeded; workspace removed");
    } catch (err) {
      this.log(build.id, "TURNDOWN", `${error ? "" : "build succeeded; "}could not remove the workspace: ${(err as Error).message}`);
    }
    this.finish(build, error ? "failed" : "done", error);
    void rm(trash, { recursive: true, force: true, maxRetries: 2 }).catch((err: Error) =>
      this.opts.note(`build ${build.id}: could not remove its workspace: ${err.message}`),
    );
  }

  /**
   * A build's state on disk; a full disk must not stop the build from ending (memory is
   * right). A state that could not be written is written again every few seconds until
   * it is, so a restart finds how the build really ended.
   */
  private save(build: BuildRecord): void {
    this.opts.store.updateBuild(build).then(
      () => this.unsaved.delete(build.id),
      (err: Error) => {
        if (!this.unsaved.has(build.id)) this.opts.note(`build ${build.id}: its state could not be saved (trying again until it is): ${err.message}`);
        this.unsaved.add(build.id);
        this.retryTimer ??= setInterval(() => this.retrySaves(), SAVE_RETRY_MS).unref();
      },
    );
  }

  private readonly unsaved = new Set<string>();
  private retryTimer?: NodeJS.Timeout;

  private retrySaves(): void {
    if (this.unsaved.size === 0) {
      clearInterval(this.retryTimer);
      this.retryTimer = undefined;
      return;
    }
    for (const id of this.unsaved) {
      const build = this.opts.store.getBuild(id);
      if (build) this.save(build);
      else this.unsaved.delete(id);
    }
  }

  /**
   * Starting a step blocks the event loop (fork and exec): steps start one per turn of the
   * loop, so builds starting together leave the server answering requests between them
   * (bench-sandbox-load.js: list p99).
   */
  private nextStart(): Promise<void> {
    const turn = this.startGate.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
    this.startGate = turn;
    return turn;
  }

  private startGate: Promise<void> = Promise.resolve();

  private checkStopped(run: Active): void {
    if (run.stopReason) throw new BuildFailure(run.stopReason);
  }

  private async runStep(build: BuildRecord, run: Active, step: Step, dirs: BuildDirs, env: NodeJS.ProcessEnv): Promise<void> {
    if (!findOnPath(step.tool, env.PATH)) {
      throw new BuildFailure(`${step.tool} is not installed (not found on PATH): the ${build.constructor} constructor needs it`);
    }
    const command = [step.tool, ...step.args].join(" ");
    await this.nextStart();
    this.checkStopped(run);
    this.log(build.id, "SETUP", `running ${command}`);
    const contained = this.opts.containment.command(step.tool, step.args, dirs, env);
    // fd 3 carries the build's environment and command into the namespaces; 4 to 6 connect its network.
    const extra = contained.setup ? (contained.network ? 4 : 1) : 0;
    const stdio = ["ignore", "pipe", "pipe", ...Array<"pipe">(extra).fill("pipe")] as ("ignore" | "pipe")[];
    const child = spawn(contained.file, contained.args, { cwd: dirs.src, env: contained.env, detached: true, stdio });
    for (const fd of child.stdio.slice(3)) fd?.on("error", () => {});
    if (contained.setup) (child.stdio[3] as Writable).end(contained.setup);
    run.child = child;
    if (child.pid !== undefined) {
      build.processGroup = { pid: child.pid, startTime: startTimeOf(child.pid) };
      this.save(build);
    }
    if (run.stopReason) this.killGroup(build.id, child);
    const toLog = (line: string) => this.opts.logs.append(build.id, "PROCESS", "", line);
    const outputDone = Promise.all([pipeLines(child.stdout!, toLog), pipeLines(child.stderr!, toLog)]);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: Error }>((resolve) => {
      child.once("error", (spawnError) => resolve({ code: null, signal: null, spawnError }));
      child.once("exit", (code, signal) => resolve({ code, signal }));
    });
    let stopNetwork: (() => void) | undefined;
    let networkError: Error | undefined;
    if (contained.network && child.pid !== undefined) {
      try {
        stopNetwork = await connectBuildNetwork(child, contained.network, contained.env);
      } catch (err) {
        networkError = err as Error;
        this.killNow(build.id, child);
      }
    }
    const exit = await exited;
    stopNetwork?.();
    // Whatever the step left running in the background goes with it.
    this.killNow(build.id, child);
    // Output still in the pipes is read; a process that escaped and holds them open is not waited for.
    if (exit.spawnError || !(await settlesWithin(outputDone, OUTPUT_GRACE_MS))) {
      child.stdout!.destroy();
      child.stderr!.destroy();
    }
    await outputDone;
    run.child = undefined;
    delete build.processGroup;
    this.checkStopped(run);
    if (exit.spawnError) throw new BuildFailure(`could not start ${step.tool}: ${exit.spawnError.message}`);
    if (networkError) throw new BuildFailure(`could not give the build its network: ${networkError.message}`);
    if (exit.code !== 0) {
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      throw new BuildFailure(step.failure ?? `${command} ${how}`);
    }
  }

  private killGroup(id: string, child: ChildProcess): void {
    if (child.pid !== undefined) signalGroup(child.pid, "SIGTERM");
    const timer = setTimeout(() => this.killNow(id, child), this.opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
    timer.unref();
    child.once("exit", () => {
      clearTimeout(timer);
      this.killNow(id, child);
    });
  }

  private finish(build: BuildRecord, status: "done" | "failed", error: string): void {
    build.status = status;
    build.error = error;
    build.finishedAt = new Date().toISOString();
    this.save(build);
    this.opts.logs.finish(build.id);
    this.opts.note(`build ${build.id} (${build.project}/${build.service}) ${status}${error ? `: ${error}` : ""}`);
    try {
      this.opts.onFinished(build);
    } catch (err) {
      this.opts.note(`build ${build.id}: its deployment could not be updated: ${(err as Error).message}`);
    }
  }
}

/** Short enough that an abort (SIGTERM, then SIGKILL) answers within 2 s. */
const DEFAULT_KILL_GRACE_MS = 1000;

function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.finally(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * The sandbox's environment without its own VALAR_* settings (the token!), plus the
 * build's. HOME and TMPDIR are the build's own, so nothing it caches lands in the user's
 * home or reaches another build.
 */
function buildEnvironment(build: BuildRecord, dirs: BuildDirs): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("VALAR_")) env[k] = v;
  Object.assign(env, { CI: "true", HOME: dirs.home, TMPDIR: dirs.tmp, TMP: dirs.tmp, TEMP: dirs.tmp });
  for (const { key, value } of build.buildEnvironment) env[key] = value;
  // Last, so the build cannot change them: the fallback containment finds its processes by VALAR_BUILD_ID.
  return Object.assign(env, { VALAR_BUILD_ID: build.id, VALAR_PROJECT: build.project, VALAR_SERVICE: build.service });
}

const MAX_LINE = 64 * 1024;

/** Calls onLine for each whole line of a stream (a last line without newline included). */
function pipeLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    let rest = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const parts = (rest + chunk).split(/\r?\n/);
      rest = parts.pop()!;
      for (const part of parts) onLine(part);
      // Output that never ends a line must not grow without bound in memory.
      while (rest.length >= MAX_LINE) {
        // Never between the two halves of a surrogate pair.
        const cut = /[\uD800-\uDBFF]/.test(rest[MAX_LINE - 1]!) ? MAX_LINE - 1 : MAX_LINE;
        onLine(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
    });
    const end = () => {
      if (rest) onLine(rest);
      rest = "";
      resolve();
    };
    stream.once("end", end);
    stream.once("close", end);
    stream.once("error", end);
  });
}

function failureMessage(err: unknown): string {
  if (err instanceof BuildFailure || err instanceof ConstructorError) return err.message;
  if (err instanceof UnsafeArchiveError) return `artifact refused: ${err.message}`;
  if (isDiskFull(err)) return "no space left on the disk holding the build's workspace";
  const code = (err as NodeJS.ErrnoException).code;
  if (code && /^TAR_|^Z_/.test(code)) return `artifact is not a valid .tar.gz: ${(err as Error).message}`;
  return "internal error while building";
}
