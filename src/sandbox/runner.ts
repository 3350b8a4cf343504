import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync, statSync } from "node:fs";
import type { LogBook, LogStage } from "./logs.js";
import type { BuildRecord, Store } from "./store.js";
import { ConstructorError, findOnPath, planBuild, type Step } from "./constructors.js";
import { UnsafeArchiveError, unpackArchive } from "./unpack.js";

export interface RunnerOptions {
  store: Store;
  logs: LogBook;
  maxParallel: number;
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

  constructor(private readonly opts: RunnerOptions) {}

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
    if (run.child) this.killGroup(run.child);
    await run.finished;
  }

  /** Stops everything: running builds and waiting ones end failed. */
  async shutdown(): Promise<void> {
    this.closed = true;
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
    for (const run of this.active.values()) if (run.child) signalGroup(run.child, "SIGKILL");
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
    store.saveBuild(build);
    this.opts.note(`build ${build.id} (${build.project}/${build.service}) running`);
    const workspace = store.workspacePath(build.id);
    let error = "";
    try {
      this.log(build.id, "SETUP", `build ${build.id} started (constructor ${build.constructor})`);
      rmSync(workspace, { recursive: true, force: true });
      mkdirSync(workspace, { recursive: true, mode: 0o700 });
      const artifact = store.artifactPath(build.artifact);
      this.log(build.id, "SETUP", `unpacking artifact ${build.artifact} (${statSync(artifact).size} bytes)`);
      const entries = await unpackArchive(artifact, workspace);
      this.log(build.id, "SETUP", `unpacked ${entries} entr${entries === 1 ? "y" : "ies"}`);
      this.checkStopped(run);
      const plan = planBuild(build.constructor, workspace);
      for (const note of plan.notes) this.log(build.id, "SETUP", note);
      const env = buildEnvironment(build);
      for (const step of plan.steps) {
        this.checkStopped(run);
        await this.runStep(build, run, step, workspace, env);
      }
      this.checkStopped(run);
    } catch (err) {
      error = run.stopReason ?? failureMessage(err);
      if (!(err instanceof BuildFailure || err instanceof UnsafeArchiveError || err instanceof ConstructorError)) {
        if (!run.stopReason) this.opts.note(`build ${build.id}: ${(err as Error).stack ?? String(err)}`);
      }
      this.log(build.id, "TURNDOWN", `build failed: ${error}`);
    }
    try {
      rmSync(workspace, { recursive: true, force: true, maxRetries: 2 });
      this.log(build.id, "TURNDOWN", error ? "workspace removed" : "build succeeded; workspace removed");
    } catch (err) {
      // A workspace the build made hard to delete must not keep the build from ending.
      this.log(build.id, "TURNDOWN", `${error ? "" : "build succeeded; "}could not remove the workspace: ${(err as Error).message}`);
    }
    this.finish(build, error ? "failed" : "done", error);
  }

  private checkStopped(run: Active): void {
    if (run.stopReason) throw new BuildFailure(run.stopReason);
  }

  private async runStep(build: BuildRecord, run: Active, step: Step, cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
    if (!findOnPath(step.tool, env.PATH)) {
      throw new BuildFailure(`${step.tool} is not installed (not found on PATH): the ${build.constructor} constructor needs it`);
    }
    const command = [step.tool, ...step.args].join(" ");
    this.log(build.id, "SETUP", `running ${command}`);
    const child = spawn(step.tool, step.args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    run.child = child;
    if (run.stopReason) this.killGroup(child);
    const toLog = (line: string) => this.opts.logs.append(build.id, "PROCESS", "", line);
    const outputDone = Promise.all([pipeLines(child.stdout!, toLog), pipeLines(child.stderr!, toLog)]);
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: Error }>((resolve) => {
      child.once("error", (spawnError) => resolve({ code: null, signal: null, spawnError }));
      child.once("exit", (code, signal) => resolve({ code, signal }));
    });
    // Whatever the step left running in the background goes with it.
    signalGroup(child, "SIGKILL");
    if (exit.spawnError) {
      child.stdout!.destroy();
      child.stderr!.destroy();
    }
    await outputDone;
    run.child = undefined;
    this.checkStopped(run);
    if (exit.spawnError) throw new BuildFailure(`could not start ${step.tool}: ${exit.spawnError.message}`);
    if (exit.code !== 0) {
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      throw new BuildFailure(step.failure ?? `${command} ${how}`);
    }
  }

  private killGroup(child: ChildProcess): void {
    signalGroup(child, "SIGTERM");
    const timer = setTimeout(() => signalGroup(child, "SIGKILL"), this.opts.killGraceMs ?? 2000);
    timer.unref();
    child.once("exit", () => {
      clearTimeout(timer);
      signalGroup(child, "SIGKILL");
    });
  }

  private finish(build: BuildRecord, status: "done" | "failed", error: string): void {
    build.status = status;
    build.error = error;
    build.finishedAt = new Date().toISOString();
    this.opts.store.saveBuild(build);
    this.opts.logs.finish(build.id);
    this.opts.note(`build ${build.id} (${build.project}/${build.service}) ${status}${error ? `: ${error}` : ""}`);
    this.opts.onFinished(build);
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already gone
  }
}

/** The sandbox's environment without its own VALAR_* settings (the token!), plus the build's. */
function buildEnvironment(build: BuildRecord): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("VALAR_")) env[k] = v;
  Object.assign(env, { CI: "true", VALAR_BUILD_ID: build.id, VALAR_PROJECT: build.project, VALAR_SERVICE: build.service });
  for (const { key, value } of build.buildEnvironment) env[key] = value;
  return env;
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
        onLine(rest.slice(0, MAX_LINE));
        rest = rest.slice(MAX_LINE);
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
  const code = (err as NodeJS.ErrnoException).code;
  if (code && /^TAR_|^Z_/.test(code)) return `artifact is not a valid .tar.gz: ${(err as Error).message}`;
  return "internal error while building";
}
