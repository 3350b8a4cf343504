import type { Deploy, EnvironmentEntry } from "../api/types.js";
import { HttpError } from "./http.js";
import { toDeploy, type BuildRecord, type DeployRecord, type Store } from "./store.js";

/**
 * Deployments are bookkeeping in the sandbox (nothing is served): versions 1, 2, … per
 * service (integers, as the API documents), newest first, each naming the build it runs.
 * An answer never carries a deployment's environment: secret values are write-only.
 */
export class Deploys {
  constructor(private readonly store: Store) {}

  private add(project: string, service: string, fields: Omit<DeployRecord, "version" | "createdAt">): DeployRecord {
    const list = this.store.listDeploys(project, service);
    const record: DeployRecord = { version: list.length + 1, createdAt: new Date().toISOString(), ...fields };
    this.store.saveDeploys(project, service, [record, ...list]);
    return record;
  }

  /** At submission: the version the build will become once it succeeds. */
  reserve(build: BuildRecord, environment: EnvironmentEntry[]): number {
    return this.add(build.project, build.service, { build: build.id, status: "pending", error: "", environment }).version;
  }

  /** A build reached its end: its reserved deployment follows it. */
  buildFinished(build: BuildRecord): void {
    const version = build.deploy.version;
    if (!version || build.deploy.skip) return;
    const list = this.store.listDeploys(build.project, build.service);
    const record = list.find((d) => d.version === version);
    if (!record || record.status !== "pending") return;
    if (build.status === "done") {
      record.status = "done";
    } else {
      record.status = "failed";
      record.error = `build ${build.id} failed: nothing was deployed`;
    }
    this.store.saveDeploys(build.project, build.service, list);
  }

  create(project: string, service: string, build: BuildRecord | undefined, environment: EnvironmentEntry[]): Deploy {
    if (!build || build.project !== project || build.service !== service) throw new HttpError(404, "build not found");
    if (build.status !== "done") throw new HttpError(409, `build ${build.id} is ${build.status}: only a done build can be deployed`);
    return toDeploy(this.add(project, service, { build: build.id, status: "done", error: "", environment }));
  }

  rollback(project: string, service: string, version: number): Deploy {
    const list = this.store.listDeploys(project, service);
    const target = list.find((d) => d.version === version);
    if (!target) throw new HttpError(404, `deployment v${version} not found`);
    if (target.status !== "done") throw new HttpError(409, `deployment v${version} is ${target.status}: only a done deployment can be rolled back to`);
    return toDeploy(this.add(project, service, { build: target.build, status: "done", error: "", environment: target.environment }));
  }
}
