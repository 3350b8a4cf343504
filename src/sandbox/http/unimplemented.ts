import { HttpError } from "./responses.js";

/**
 * Routes Valar's Go client calls that the sandbox has nothing behind (it builds, it does
 * not serve): each answers 501 saying so, instead of a 404 that reads like a typo. The
 * paths are the Go client's (valar/cli api/client.go), relative to /v2/projects/{p}/.
 */
const FEATURES: { match: (rest: string[]) => boolean; feature: string }[] = [
  { match: (r) => r.length === 3 && r[0] === "services" && r[2] === "status", feature: "service status (enable/disable)" },
  { match: (r) => r.length === 3 && r[0] === "services" && r[2] === "logs", feature: "service logs" },
  { match: (r) => r.length >= 3 && r.length <= 5 && r[0] === "services" && r[2] === "schedules", feature: "scheduling" },
  { match: (r) => r.length >= 1 && r.length <= 3 && r[0] === "domains", feature: "domain management" },
  { match: (r) => r.length === 1 && r[0] === "permissions", feature: "permission management" },
  { match: (r) => r.length === 2 && r[0] === "environment" && r[1] === "encrypt", feature: "environment encryption" },
];

/** Throws the 501 for a path under a project that names a feature the sandbox lacks. */
export function refuseUnimplemented(underProject: string[]): void {
  const hit = FEATURES.find((f) => f.match(underProject));
  if (hit) throw new HttpError(501, `${hit.feature} is not implemented by the sandbox`);
}
