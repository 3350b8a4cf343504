import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { UsageError } from "../errors.js";
import type { EnvironmentEntry } from "../api/types.js";
import type { ValarYml } from "./types.js";

/** The nearest .valar.yml walking up from cwd, or undefined. */
export async function findValarYml(cwd: string): Promise<string | undefined> {
  const { access } = await import("node:fs/promises");
  let dir = cwd;
  for (;;) {
    const candidate = join(dir, ".valar.yml");
    try {
      await access(candidate);
      return candidate;
    } catch {
      // keep walking
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export async function loadValarYml(cwd: string): Promise<ValarYml | undefined> {
  const path = await findValarYml(cwd);
  if (!path) return undefined;
  return parseValarYml(await readFile(path, "utf8"), path);
}

function fail(path: string, message: string): never {
  throw new UsageError(`${path}: ${message}`);
}

/** Both entry forms of Valar's original CLI: "KEY=VALUE" or {key, value, secret}. */
function parseEnvironment(path: string, where: string, raw: unknown): EnvironmentEntry[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) fail(path, `${where} must be a list`);
  return raw.map((entry, i): EnvironmentEntry => {
    if (typeof entry === "string") {
      const eq = entry.indexOf("=");
      if (eq <= 0) fail(path, `${where}[${i}] must be KEY=VALUE`);
      return { key: entry.slice(0, eq), value: entry.slice(eq + 1) };
    }
    if (typeof entry === "object" && entry !== null && typeof (entry as { key?: unknown }).key === "string") {
      const e = entry as { key: string; value?: unknown; secret?: unknown };
      const out: EnvironmentEntry = { key: e.key, value: e.value === undefined || e.value === null ? "" : String(e.value) };
      if (e.secret !== undefined) out.secret = Boolean(e.secret);
      return out;
    }
    return fail(path, `${where}[${i}] must be "KEY=VALUE" or {key, value}`);
  });
}

export async function parseValarYml(text: string, path: string): Promise<ValarYml> {
  const { parse } = await import("yaml");
  let doc: unknown;
  try {
    doc = parse(text) ?? {};
  } catch (err) {
    fail(path, `not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) fail(path, "must be a mapping");
  const d = doc as Record<string, unknown>;
  const build = (d.build ?? {}) as Record<string, unknown>;
  const deployment = (d.deployment ?? {}) as Record<string, unknown>;
  const str = (v: unknown, where: string): string | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string" && typeof v !== "number") fail(path, `${where} must be a string`);
    return String(v);
  };
  const ignore = build.ignore ?? [];
  if (!Array.isArray(ignore)) fail(path, "build.ignore must be a list");
  return {
    path,
    project: str(d.project, "project"),
    service: str(d.service, "service"),
    build: {
      constructor: str(build.constructor, "build.constructor"),
      ignore: ignore.map((x) => String(x)),
      environment: parseEnvironment(path, "build.environment", build.environment),
    },
    deployment: {
      skip: deployment.skip === undefined ? undefined : Boolean(deployment.skip),
      environment: parseEnvironment(path, "deployment.environment", deployment.environment),
    },
  };
}
