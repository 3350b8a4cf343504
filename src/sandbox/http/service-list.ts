import type { SandboxCore } from "../core.js";

/** An element of GET /projects/{p}/services/{prefix}, the shape Valar's Go client reads. */
export interface ServiceSummary {
  id: string;
  name: string;
  /** The live deployment's version; 0 when none is done. */
  version: number;
  createdAt: string;
  deployedAt: string;
  domains: string[];
}

// Go's zero time: what Valar's client parses for "never" (an empty string fails to parse).
const NEVER = "0001-01-01T00:00:00Z";

/** The project's services that have builds, by name, filtered to names starting with prefix. */
export function listServices(core: SandboxCore, project: string, prefix: string): ServiceSummary[] {
  const names = new Set<string>();
  for (const b of core.store.allBuilds()) if (b.project === project && b.service.startsWith(prefix)) names.add(b.service);
  return [...names].sort().map((name) => {
    const builds = core.store.listBuilds(project, name);
    const live = core.deploys.list(project, name).find((d) => d.status === "done");
    return {
      id: `${project}/${name}`,
      name,
      version: live?.version ?? 0,
      createdAt: builds.at(-1)!.createdAt,
      deployedAt: live?.createdAt ?? NEVER,
      domains: [],
    };
  });
}
