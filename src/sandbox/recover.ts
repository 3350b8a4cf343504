import { rmSync } from "node:fs";
import { join } from "node:path";
import type { LogBook } from "./logs.js";
import type { Store } from "./store.js";
import type { Deploys } from "./deploys.js";
import { removeStaleTemporaries } from "./files.js";
import { killByBuildId, killRecordedGroup } from "./procs.js";
import { prepareWorkRoot } from "./workroot.js";
import { STOPPED_BEFORE_START, STOPPED_WHILE_RUNNING } from "./runner.js";

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
    const error = was === "running" ? STOPPED_WHILE_RUNNING : STOPPED_BEFORE_START;
    logs.append(build.id, "WRAPPER", "TURNDOWN", `build failed: ${error}`);
    logs.finish(build.id);
    build.status = "failed";
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
    note(`build ${build.id} was ${was} when the sandbox stopped: marked failed`);
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
