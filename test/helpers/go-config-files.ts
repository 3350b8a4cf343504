import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./temp-dirs.js";

// Valar's Go CLI config files and a Go CLI user's service directory, for the tests of
// reading them (test/e2e/go-config.test.ts, test/inprocess/go-config.test.ts).

export type Env = Record<string, string | undefined>;

/** A Go CLI config file as `valar config endpoint/context add` writes it (yaml.v3, indent 2). */
export function goConfig(o: {
  active?: string;
  endpoints?: Record<string, { url: string; token: string }>;
  contexts?: Record<string, { endpoint: string; project: string }>;
}): string {
  const lines = ['version: ""'];
  if (o.active !== undefined) lines.push(`activeContext: ${o.active}`);
  lines.push("endpoints:");
  for (const [name, e] of Object.entries(o.endpoints ?? {})) lines.push(`  ${name}:`, `    token: ${e.token}`, `    url: ${e.url}`);
  lines.push("contexts:");
  for (const [name, c] of Object.entries(o.contexts ?? {})) lines.push(`  ${name}:`, `    endpoint: ${c.endpoint}`, `    project: ${c.project}`);
  return lines.join("\n") + "\n";
}

export function writeHomeConfig(env: Env, text: string): string {
  const dir = join(env.HOME!, ".valar");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config"), text);
  return join(dir, "config");
}

/** A directory with a `.valar.yml` naming only the service, as a Go CLI user's service has. */
export function serviceDir(service = "web", extra = ""): string {
  const dir = tempDir("valar-svc-");
  writeFileSync(join(dir, ".valar.yml"), `service: ${service}\n${extra}`);
  return dir;
}
