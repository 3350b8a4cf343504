import { closeSync, fstatSync, openSync, readSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { LogBook } from "./log-book.js";
import type { Store } from "./build-store.js";
import type { Deploys } from "./deploy-records.js";
import { removeStaleTemporaries } from "./atomic-files.js";
import { killByBuildId, killRecordedGroup } from "../run/procs.js";
import { prepareWorkRoot } from "./workroot.js";
import { STOPPED_BEFORE_START, STOPPED_WHILE_RUNNING } from "../run/runner.js";

/**
 * Puts right what a previous run that did not stop cleanly (kill -9, a crash, a full
 * disk) left behind, before anything new starts: the processes of its builds, their work
 * dirs, half-written uploads and state files, deployments of builds never saved; builds
 * it left pending or running end failed, saying why. Never throws on a full disk: what
 * cannot be written now is known in memory and written later.
 */
export function recoverInterrupted(store: Store, logs: LogBook, deploys: Deploys, note: (line: string) => void): void {
  for (const build of store.allBuilds()) {
    if (build.status !== "pending" && build.status !== "running") continue;
    if (build.processGroup) killRecordedGroup(build.processGroup);
    killByBuildId(build.id);
    delete build.processGroup;
    const was = build.status;
    // The build may have ended before the stop, its state unsaved (a full disk): its log says how.
    const ended = endInLog(store.logPath(build.id));
    const error = ended?.error ?? (was === "running" ? STOPPED_WHILE_RUNNING : STOPPED_BEFORE_START);
    if (!ended) logs.append(build.id, "WRAPPER", "TURNDOWN", `build failed: ${error}`);
    logs.finish(build.id);
    build.status = ended?.status ?? "failed";
    build.error = error;
    build.finishedAt = new Date().toISOString();
    try {
      store.saveBuild(build);
    } catch (err) {
      note(`build ${build.id}: could not save its state: ${(err as Error).message}`);
    }
    try {
      deploys.buildFinished(build);
    } catch (err) {
      note(`build ${build.id}: could not update its deployment: ${(err as Error).message}`);
    }
    note(`build ${build.id} was ${was} when the sandbox stopped: marked ${build.status}`);
  }
  prepareWorkRoot(store.workRoot);
  // Work dirs of older sandboxes lived inside the data dir.
  rmSync(join(store.dataDir, "work"), { recursive: true, force: true });
  const partial = store.removePartialUploads();
  if (partial > 0) note(`removed ${partial} unfinished upload${partial === 1 ? "" : "s"}`);
  for (const dir of ["", "builds", "deploys"]) removeStaleTemporaries(join(store.dataDir, dir));
  const orphans = store.dropOrphanDeploys();
  if (orphans > 0) note(`dropped ${orphans} deployment${orphans === 1 ? "" : "s"} of builds that were never saved`);
}

/** How far from its end a log is read for the build's last words. */
const TAIL_BYTES = 64 * 1024;

/**
 * How a build ended by the runner's last TURNDOWN line (see runner.ts), when the log has
 * one: "build failed: REASON" or "build succeeded; …".
 */
function endInLog(path: string): { status: "done" | "failed"; error: string } | undefined {
  let tail: string;
  try {
    const fd = openSync(path, "r");
    try {
      const size = fstatSync(fd).size;
      const buf = Buffer.alloc(Math.min(size, TAIL_BYTES));
      readSync(fd, buf, 0, buf.length, size - buf.length);
      tail = buf.toString("utf8");
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  for (const line of tail.split("\n").reverse()) {
    let entry: { source?: unknown; stage?: unknown; content?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if (entry.source !== "WRAPPER" || entry.stage !== "TURNDOWN" || typeof entry.content !== "string") continue;
    if (entry.content.startsWith("build failed: ")) return { status: "failed", error: entry.content.slice("build failed: ".length) };
    if (entry.content.startsWith("build succeeded;")) return { status: "done", error: "" };
  }
  return undefined;
}
