import { parse } from "yaml";
import { UsageError } from "../errors.js";
import { isRecord } from "../api/validate.js";
import { displayPath, goConfigFiles } from "./go-config-paths.js";
import { readSettingsFile, type SettingsFile } from "./settings-file.js";

export { displayPath, goConfigFiles };

/**
 * Valar's Go CLI keeps its settings in `~/.valar/config` (or in the files VALARCONFIG lists,
 * `;`-separated), YAML of this shape:
 *
 *   activeContext: default
 *   endpoints: { default: { url: https://api.valar.dev/v2, token: … } }
 *   contexts:  { default: { endpoint: default, project: myproject } }
 *
 * valar reads it, never writes it, as the layer below its own stored settings, so a Go CLI
 * user needs no set-up. Files merge as the Go CLI merges them: in order, a later non-empty
 * `activeContext` wins, and an endpoint or context of a name a later file defines again is
 * replaced whole.
 */

/** One value taken from the Go config, and how to name where it came from. */
export interface GoConfigValue {
  value: string;
  /** e.g. `~/.valar/config, context prod`: what `auth status` and error messages show. */
  origin: string;
}

export interface GoConfigLayer {
  endpoint?: GoConfigValue;
  /** Sent only to `endpoint`'s URL, the one it was configured for. */
  token?: GoConfigValue;
  project?: GoConfigValue;
  /** Why the active context gave nothing (or less than it could), for the hint of the error that follows. */
  problem?: string;
}

interface Named<T> {
  entry: T;
  file: string;
}

interface Merged {
  activeContext?: Named<string>;
  endpoints: Map<string, Named<{ url?: string; token?: string }>>;
  contexts: Map<string, Named<{ endpoint?: string; project?: string }>>;
  files: string[];
}

/**
 * The active context's endpoint URL, token and project, or undefined when there is no Go
 * config at all. A file that is not valid YAML of the Go CLI's shape is a usage error (exit 2)
 * naming it; a listed file that cannot be read is skipped with a warning, as the Go CLI does.
 */
export function readGoConfig(env: NodeJS.ProcessEnv, warn: (message: string) => void): GoConfigLayer | undefined {
  const { files, listed } = goConfigFiles(env);
  const merged: Merged = { endpoints: new Map(), contexts: new Map(), files: [] };
  for (const file of files) {
    let read: SettingsFile;
    try {
      read = readSettingsFile(file);
    } catch (err) {
      read = { kind: "skipped", reason: (err as NodeJS.ErrnoException).code ?? (err as Error).message };
    }
    if (read.kind === "read") {
      mergeFile(merged, file, read.text);
      continue;
    }
    // No ~/.valar/config is the common case (not a Go CLI user): nothing to say.
    if (read.kind === "missing" && !listed) continue;
    const reason = read.kind === "missing" ? "ENOENT" : read.reason;
    warn(
      listed
        ? `VALARCONFIG names ${file}, which cannot be read (${reason}); skipped`
        : `Valar's Go CLI config ${file} cannot be read (${reason}); skipped`,
    );
  }
  if (merged.files.length === 0) return undefined;
  return activeValues(merged, env);
}

function malformed(file: string, reason: string): UsageError {
  return new UsageError(`Valar's Go CLI config ${file}: ${reason}`, {
    hint: "fix that file (valar reads it, never writes it), or point VALARCONFIG elsewhere",
  });
}

/** A YAML scalar as text (the Go CLI's decoder takes `project: 2024` as "2024"); else undefined. */
function scalar(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/** `{name: {field: scalar}}`, each entry checked against the fields the Go CLI decodes. */
function entries<K extends string>(
  file: string,
  doc: Record<string, unknown>,
  key: string,
  fields: readonly K[],
): Map<string, Partial<Record<K, string>>> {
  const out = new Map<string, Partial<Record<K, string>>>();
  const raw = doc[key];
  if (raw === undefined || raw === null) return out;
  if (!isRecord(raw)) throw malformed(file, `"${key}" must be a mapping of names`);
  for (const [name, value] of Object.entries(raw)) {
    if (value === null) {
      out.set(name, {});
      continue;
    }
    if (!isRecord(value)) throw malformed(file, `${key}.${name} must be a mapping (${fields.join(", ")})`);
    const entry: Partial<Record<K, string>> = {};
    for (const field of fields) {
      if (value[field] === undefined || value[field] === null) continue;
      const text = scalar(value[field]);
      if (text === undefined) throw malformed(file, `${key}.${name}.${field} must be a string`);
      entry[field] = text;
    }
    out.set(name, entry);
  }
  return out;
}

function mergeFile(merged: Merged, file: string, text: string): void {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw malformed(file, `not valid YAML (${(err as Error).message.split("\n")[0]!.replace(/:\s*$/, "")})`);
  }
  merged.files.push(file);
  if (doc === undefined || doc === null) return;
  if (!isRecord(doc)) throw malformed(file, "expected a mapping with activeContext, endpoints and contexts");
  const active = doc.activeContext === undefined || doc.activeContext === null ? "" : scalar(doc.activeContext);
  if (active === undefined) throw malformed(file, `"activeContext" must be a context name`);
  if (active !== "") merged.activeContext = { entry: active, file };
  for (const [name, entry] of entries(file, doc, "endpoints", ["url", "token"] as const)) merged.endpoints.set(name, { entry, file });
  for (const [name, entry] of entries(file, doc, "contexts", ["endpoint", "project"] as const)) merged.contexts.set(name, { entry, file });
}

/**
 * What the active context gives. A missing piece gives nothing (no guessing among several
 * contexts), and `problem` says why, so the "not logged in" or "no project" error can tell.
 */
function activeValues(merged: Merged, env: NodeJS.ProcessEnv): GoConfigLayer {
  const where = merged.files.map((f) => displayPath(f, env)).join(", ");
  const active = merged.activeContext;
  if (!active) return { problem: `Valar's Go CLI config (${where}) sets no activeContext` };
  const context = merged.contexts.get(active.entry);
  if (!context) return { problem: `the activeContext "${active.entry}" of ${where} names no context` };
  const origin = (file: string) => `${displayPath(file, env)}, context ${active.entry}`;
  const layer: GoConfigLayer = {};
  const project = context.entry.project?.trim();
  if (project) layer.project = { value: project, origin: origin(context.file) };
  const endpointName = context.entry.endpoint ?? "";
  const endpoint = merged.endpoints.get(endpointName);
  if (!endpoint) {
    layer.problem = `context "${active.entry}" of ${where} names endpoint "${endpointName}", which is not defined`;
    return layer;
  }
  const url = endpoint.entry.url?.trim();
  const token = endpoint.entry.token?.trim();
  if (url) layer.endpoint = { value: url, origin: origin(endpoint.file) };
  // A token without its URL would go to some other endpoint: it is used only with its own.
  if (url && token) layer.token = { value: token, origin: origin(endpoint.file) };
  if (!url) layer.problem = `endpoint "${endpointName}" of ${where} has no url`;
  return layer;
}
