import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Build, BuildInspect, EnvironmentEntry } from "../../api/types.js";
import type { DeployRecord } from "./deploy-types.js";
import { writeFileAtomic, writeFileAtomicAsync } from "./atomic-files.js";
import type { BuildDirs } from "../run/contain.js";

/** Everything the sandbox knows about one build; persisted as builds/<id>.json. */
export interface BuildRecord {
  id: string;
  /** Submission order: createdAt alone can tie within a millisecond. */
  seq: number;
  project: string;
  service: string;
  status: "pending" | "running" | "done" | "failed" | "expired";
  error: string;
  createdAt: string;
  /** When the build reached done/failed: the age of its logs counts from here. */
  finishedAt?: string;
  /** The constructor name as submitted (an alias stays an alias). */
  constructor: string;
  artifact: string;
  buildEnvironment: EnvironmentEntry[];
  deploy: { skip: boolean; environment: EnvironmentEntry[]; version?: string };
  /**
   * The process group of the step running now, so a sandbox restarted after a crash can
   * kill what the crash left running (startTime tells a reused pid from ours).
   */
  processGroup?: { pid: number; startTime?: string };
}

export function toBuild(b: BuildRecord): Build {
  return { id: b.id, status: b.status, error: b.error, createdAt: b.createdAt };
}

export function toInspect(b: BuildRecord): BuildInspect {
  return { id: b.id, constructor: b.constructor, status: b.status, error: b.error, createdAt: b.createdAt, flags: "", owner: OWNER };
}

export const OWNER = "sandbox";

/**
 * The sandbox's state, in memory and on disk under the data directory: one JSON file per
 * build and one per service's deployments, each replaced atomically on every change, so a
 * restart (or a crash) finds a consistent state.
 */
export class Store {
  private readonly builds = new Map<string, BuildRecord>();
  private readonly deploys = new Map<string, DeployRecord[]>();
  private readonly projects = new Set<string>([OWNER]);
  /** Each build's last state write under way (updateBuild): the next one waits for it. */
  private readonly writing = new Map<string, Promise<void>>();

  /** workRoot: where builds unpack and run, outside the data dir (see workroot.ts). */
  constructor(
    readonly dataDir: string,
    readonly workRoot: string,
  ) {
    for (const dir of STATE_DIRS) mkdirSync(join(dataDir, dir), { recursive: true, mode: 0o700 });
    this.load();
  }

  artifactPath(key: string): string {
    return join(this.dataDir, "artifacts", `${key}.tar.gz`);
  }

  /** Where an upload is written until it is complete (a crash leaves only these behind). */
  partialArtifactPath(key: string): string {
    return `${this.artifactPath(key)}${PARTIAL_SUFFIX}`;
  }

  /** Removes uploads a crash interrupted. */
  removePartialUploads(): number {
    const dir = join(this.dataDir, "artifacts");
    const partial = readdirSync(dir).filter((n) => n.endsWith(PARTIAL_SUFFIX));
    for (const name of partial) rmSync(join(dir, name), { force: true });
    return partial.length;
  }

  logPath(id: string): string {
    return join(this.dataDir, "logs", `${id}.log`);
  }

  buildDirs(id: string): BuildDirs {
    const root = join(this.workRoot, id);
    return { root, src: join(root, "src"), home: join(root, "home"), tmp: join(root, "tmp") };
  }

  private load(): void {
    for (const name of readdirSync(join(this.dataDir, "builds"))) {
      if (!name.endsWith(".json")) continue;
      const record = readJson<BuildRecord>(join(this.dataDir, "builds", name));
      if (!record) continue;
      this.builds.set(record.id, record);
      this.projects.add(record.project);
    }
    for (const name of readdirSync(join(this.dataDir, "deploys"))) {
      if (!name.endsWith(".json")) continue;
      const list = readJson<DeployRecord[]>(join(this.dataDir, "deploys", name));
      if (!list) continue;
      this.deploys.set(name.slice(0, -".json".length), list);
    }
    const projects = readJson<string[]>(join(this.dataDir, "projects.json")) ?? [];
    for (const p of projects) this.projects.add(p);
  }

  seeProject(project: string): void {
    if (this.projects.has(project)) return;
    writeFileAtomic(join(this.dataDir, "projects.json"), JSON.stringify([...this.projects, project].sort()));
    this.projects.add(project);
  }

  projectNames(): string[] {
    return [...this.projects].sort();
  }

  allBuilds(): BuildRecord[] {
    return [...this.builds.values()];
  }

  /** A service's builds, newest first. */
  listBuilds(project: string, service: string): BuildRecord[] {
    return this.allBuilds()
      .filter((b) => b.project === project && b.service === service)
      .sort((a, b) => b.seq - a.seq);
  }

  nextSeq(): number {
    let max = 0;
    for (const b of this.builds.values()) max = Math.max(max, b.seq ?? 0);
    return max + 1;
  }

  getBuild(id: string): BuildRecord | undefined {
    return this.builds.get(id);
  }

  /** Written first, then known: a build whose file could not be written does not exist. */
  saveBuild(record: BuildRecord): void {
    writeFileAtomic(this.buildFile(record.id), JSON.stringify(record, null, 2));
    this.builds.set(record.id, record);
  }

  /**
   * A known build's new state (running, its process group, its end): in memory at once, on
   * disk off the event loop — an fsync per change of twenty builds starting together held
   * every request up (bench-sandbox-load.js: list p99). One build's writes land in the order
   * they were asked for. Rejects when the write fails (a full disk); memory stays right.
   */
  updateBuild(record: BuildRecord): Promise<void> {
    this.builds.set(record.id, record);
    const data = JSON.stringify(record, null, 2);
    const before = this.writing.get(record.id);
    const write = (before ?? Promise.resolve()).catch(() => undefined).then(() => writeFileAtomicAsync(this.buildFile(record.id), data));
    this.writing.set(record.id, write);
    const settled = () => {
      if (this.writing.get(record.id) === write) this.writing.delete(record.id);
    };
    write.then(settled, settled);
    return write;
  }

  /** Resolves once every state write asked for so far has ended (before the sandbox exits). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.writing.values()]);
  }

  /** Undoes a submission that could not be completed. */
  forgetBuild(id: string): void {
    this.builds.delete(id);
    rmSync(this.buildFile(id), { force: true });
  }

  private buildFile(id: string): string {
    return join(this.dataDir, "builds", `${id}.json`);
  }

  listDeploys(project: string, service: string): DeployRecord[] {
    return this.deploys.get(deployKey(project, service)) ?? [];
  }

  saveDeploys(project: string, service: string, list: DeployRecord[]): void {
    const key = deployKey(project, service);
    writeFileAtomic(join(this.dataDir, "deploys", `${key}.json`), JSON.stringify(list, null, 2));
    this.deploys.set(key, list);
  }

  /**
   * Drops deployments of builds the sandbox does not have: a submission cut short (a crash,
   * a full disk) between writing the deployment and the build. Returns how many.
   */
  dropOrphanDeploys(): number {
    let dropped = 0;
    for (const [key, list] of this.deploys) {
      const kept = list.filter((d) => this.builds.has(d.build));
      if (kept.length === list.length) continue;
      dropped += list.length - kept.length;
      this.deploys.set(key, kept);
      try {
        writeFileAtomic(join(this.dataDir, "deploys", `${key}.json`), JSON.stringify(kept, null, 2));
      } catch {
        // Still dropped from what the API shows; the next start tries the file again.
      }
    }
    return dropped;
  }
}

const STATE_DIRS = ["builds", "deploys", "artifacts", "logs"];
const PARTIAL_SUFFIX = ".part";

// Project names cannot hold a dot and service names neither, so the key is unambiguous.
function deployKey(project: string, service: string): string {
  return `${project}.${service}`;
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    // A missing or damaged file is skipped rather than keeping the sandbox from starting.
    return undefined;
  }
}
