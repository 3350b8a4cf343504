import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Build, BuildInspect, EnvironmentEntry } from "../api/types.js";
import type { DeployRecord } from "./deploys.js";
import { writeFileAtomic } from "./files.js";

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

  constructor(readonly dataDir: string) {
    for (const dir of ["builds", "deploys", "artifacts", "logs", "work"]) {
      mkdirSync(join(dataDir, dir), { recursive: true, mode: 0o700 });
    }
    this.load();
  }

  artifactPath(key: string): string {
    return join(this.dataDir, "artifacts", `${key}.tar.gz`);
  }

  logPath(id: string): string {
    return join(this.dataDir, "logs", `${id}.log`);
  }

  workspacePath(id: string): string {
    return join(this.dataDir, "work", id);
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
    this.projects.add(project);
    writeFileAtomic(join(this.dataDir, "projects.json"), JSON.stringify([...this.projects].sort()));
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

  saveBuild(record: BuildRecord): void {
    this.builds.set(record.id, record);
    writeFileAtomic(join(this.dataDir, "builds", `${record.id}.json`), JSON.stringify(record, null, 2));
  }

  listDeploys(project: string, service: string): DeployRecord[] {
    return this.deploys.get(deployKey(project, service)) ?? [];
  }

  saveDeploys(project: string, service: string, list: DeployRecord[]): void {
    const key = deployKey(project, service);
    this.deploys.set(key, list);
    writeFileAtomic(join(this.dataDir, "deploys", `${key}.json`), JSON.stringify(list, null, 2));
  }
}

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
