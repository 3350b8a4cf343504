import type { Build, BuildInspect } from "../../src/api/types.js";
import { isolatedEnv, testEnv } from "./test-env.js";
import { json, startFaultServer, type FaultServer } from "./fault-server.js";

export const TOKEN = "test-token-5f3a";
export const PROJECT = "p";
export const SERVICE = "s";
/** The API path of the test service's builds, as the fault server records it. */
export const BUILDS_PATH = `/projects/${PROJECT}/services/${SERVICE}/builds`;
export const DEPLOYS_PATH = `/projects/${PROJECT}/services/${SERVICE}/deploys`;

const MINUTE = 60_000;

/** A build created `minutesAgo` before now (relative times in output are then predictable). */
export function build(id: string, status: string, minutesAgo: number, error = ""): Build {
  return { id, status, error, createdAt: new Date(Date.now() - minutesAgo * MINUTE).toISOString() };
}

export function inspectOf(b: Build, extra: { flags?: string; owner?: string } = {}): BuildInspect {
  return { ...b, constructor: "golang", flags: "", owner: "myuser", ...extra };
}

/** The environment that points a spawned CLI at the server, authenticated, for p/s. */
export function envFor(server: FaultServer, extra: Record<string, string | undefined> = {}) {
  return isolatedEnv({
    VALAR_ENDPOINT: server.endpoint,
    VALAR_TOKEN: TOKEN,
    VALAR_PROJECT: PROJECT,
    VALAR_SERVICE: SERVICE,
    ...extra,
  });
}

/**
 * A fault server that answers the list and prefix endpoints from `builds` the way the API
 * does (newest first, prefix filter) and /inspect from `details` (or a derived object);
 * the service has no deployments until a test routes its own list.
 */
export async function startBuildsServer(builds: Build[], details: Record<string, BuildInspect> = {}): Promise<FaultServer> {
  const server = await startFaultServer();
  server.on(`GET ${BUILDS_PATH}`, (_req, res) => json(res, 200, builds));
  for (const prefix of prefixesOf(builds)) {
    server.on(`GET ${BUILDS_PATH}/${prefix}`, (_req, res) =>
      json(
        res,
        200,
        builds.filter((b) => b.id.startsWith(prefix)),
      ),
    );
  }
  server.on(`GET ${DEPLOYS_PATH}`, (_req, res) => json(res, 200, []));
  for (const b of builds) {
    server.on(`GET ${BUILDS_PATH}/${b.id}/inspect`, (_req, res) => json(res, 200, details[b.id] ?? inspectOf(b)));
  }
  return server;
}

function prefixesOf(builds: Build[]): Set<string> {
  const out = new Set<string>();
  for (const b of builds) for (let i = 1; i <= b.id.length; i++) out.add(b.id.slice(0, i));
  return out;
}

/** Requests the CLI sent to the API (all of them carry the path without /v2). */
export function paths(server: FaultServer): string[] {
  return server.requests.map((r) => `${r.method} ${r.path}`);
}

/** envFor's in-process counterpart: the server, the token and p/s over testEnv (nothing of the test process's). */
export function apiEnv(server: FaultServer, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return testEnv({ VALAR_ENDPOINT: server.endpoint, VALAR_TOKEN: TOKEN, VALAR_PROJECT: PROJECT, VALAR_SERVICE: SERVICE, ...extra });
}
