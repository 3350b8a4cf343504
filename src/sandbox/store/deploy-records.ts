import type { EnvironmentEntry } from "../../api/types.js";
import { HttpError } from "../http/responses.js";
import type { BuildRecord, Store } from "./build-store.js";
import type { DeployRecord, SandboxDeploy } from "./deploy-types.js";

export type { DeployRecord, SandboxDeploy };

export function toDeploy(d: DeployRecord): SandboxDeploy {
  return { version: d.version, createdAt: d.createdAt, error: d.error, status: d.status, build: d.build };
}

/** The submit answer's display form of a version ("v13"). */
export function versionLabel(version: number): string {
  return `v${version}`;
}

/** A version as stored by earlier sandboxes ("v3") or now (3). */
function versionNumber(raw: unknown): number {
  return typeof raw === "number" ? raw : Number(String(raw).replace(/^v/, ""));
}

/**
 * How long a deployment of a done build stays `pending` before it is `done`, as on Valar:
 * longer than the CLI's 1.5 s poll, so a waiting CLI sees it pending, as it would there.
 */
export const DEPLOY_SETTLE_MS = 2000;

/**
 * Deployments are bookkeeping in the sandbox (nothing is served): versions 1, 2, … per
 * service, newest first, each naming the build it runs. A deployment starts `pending`;
 * one whose build is done becomes `done` DEPLOY_SETTLE_MS after it was created or its
 * build ended, whichever is later — as on Valar, a build's `done` comes before its
 * deployment is live. Worked out when the list is read, so no timer outlives the server
 * and a restart finds nothing stuck.
 */
export class Deploys {
  constructor(private readonly store: Store) {}

  /** A service's deployments, newest first. */
  list(project: string, service: string): DeployRecord[] {
    const list = this.store.listDeploys(project, service);
    let changed = false;
    const now = Date.now();
    for (const d of list) {
      if (typeof d.version !== "number") {
        d.version = versionNumber(d.version);
        changed = true;
      }
      const liveAt = d.liveAt ?? Date.parse(d.createdAt) + DEPLOY_SETTLE_MS;
      if (d.status === "pending" && now >= liveAt && this.store.getBuild(d.build)?.status === "done") {
        d.status = "done";
        changed = true;
      }
    }
    if (changed) this.store.saveDeploys(project, service, list);
    return list;
  }

  private add(project: string, service: string, build: string, environment: EnvironmentEntry[]): DeployRecord {
    const list = this.list(project, service);
    const version = Math.max(0, ...list.map((d) => d.version)) + 1;
    const record: DeployRecord = { version, createdAt: new Date().toISOString(), error: "", status: "pending", build, environment };
    this.store.saveDeploys(project, service, [record, ...list]);
    return record;
  }

  /** At submission: the version the build will become once it succeeds. */
  reserve(build: BuildRecord, environment: EnvironmentEntry[]): number {
    return this.add(build.project, build.service, build.id, environment).version;
  }

  /** A build reached its end: its reserved deployment follows it. */
  buildFinished(build: BuildRecord): void {
    if (!build.deploy.version || build.deploy.skip) return;
    const version = versionNumber(build.deploy.version);
    const list = this.list(build.project, build.service);
    const record = list.find((d) => d.version === version);
    if (!record || record.status !== "pending") return;
    if (build.status === "done") {
      record.liveAt = Date.now() + DEPLOY_SETTLE_MS;
    } else {
      record.status = "failed";
      record.error = `build ${build.id} failed: nothing was deployed`;
    }
    this.store.saveDeploys(build.project, build.service, list);
  }

  create(project: string, service: string, build: BuildRecord | undefined, environment: EnvironmentEntry[]): SandboxDeploy {
    if (!build || build.project !== project || build.service !== service) throw new HttpError(404, "build not found");
    if (build.status !== "done") throw new HttpError(409, `build ${build.id} is ${build.status}: only a done build can be deployed`);
    return toDeploy(this.add(project, service, build.id, environment));
  }

  /** Deploys again what version ran, as a new version. */
  rollback(project: string, service: string, version: number): SandboxDeploy {
    const list = this.list(project, service);
    if (list.length < 2) {
      const has = list.length === 0 ? "no deployments" : "only one deployment";
      throw new HttpError(409, `cannot roll back: service ${service} has ${has}, nothing earlier to go back to`);
    }
    const target = list.find((d) => d.version === version);
    if (!target) throw new HttpError(404, `deployment ${version} not found (versions: ${list.at(-1)!.version} to ${list[0]!.version})`);
    if (target.status !== "done") throw new HttpError(409, `deployment ${version} is ${target.status}: only a done deployment can be rolled back to`);
    return toDeploy(this.add(project, service, target.build, target.environment));
  }
}
