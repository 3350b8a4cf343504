import { parseDocument, type YAMLError } from "yaml";
import { UsageError } from "../errors.js";
import { ENV_KEY, type EnvironmentEntry } from "../api/types.js";
import { isRecord } from "../api/validate.js";
import { truncate } from "../output/text.js";
import { nearestName } from "../util/nearest.js";
import type { ValarYml } from "./settings-types.js";
import { findValarYml } from "./find-valar-yml.js";

type Warn = (message: string) => void;

/** The `.valar.yml` that applies to `start` (see ./find-valar-yml.ts), parsed. */
export function loadValarYml(start: string, env: NodeJS.ProcessEnv, warn: Warn): ValarYml | undefined {
  const file = findValarYml(start, env, warn);
  return file ? parseValarYml(file.text, file.path, warn) : undefined;
}

function fail(path: string, message: string): never {
  throw new UsageError(`${path}: ${message}`);
}

/** A value from the file, quoted in a message: on one line and cut (an entry may be megabytes). */
function quoted(value: string): string {
  const head = value.slice(0, 200).replace(/\s+/g, " ");
  const shown = truncate(head, 60);
  return `"${shown === head && value.length > 200 ? `${head}…` : shown}"`;
}

/** YAML turns `value: 3` or `value: true` into non-strings; the API wants their text. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/** Both entry forms of Valar's original CLI: "KEY=VALUE" or {key, value, secret}. */
function parseEnvironment(path: string, where: string, raw: unknown): EnvironmentEntry[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) fail(path, `${where} must be a list`);
  // Keys follow --build-env's rule: one the server would refuse is found before packaging.
  const badKey = (i: number, key: string): never => fail(path, `${where}[${i}]: ${quoted(key)} is not a variable name (no spaces or NUL characters)`);
  return raw.map((entry, i): EnvironmentEntry => {
    if (typeof entry === "string") {
      const eq = entry.indexOf("=");
      if (eq <= 0) fail(path, `${where}[${i}] must be KEY=VALUE (got ${quoted(entry)})`);
      if (!ENV_KEY.test(entry.slice(0, eq))) badKey(i, entry.slice(0, eq));
      return { key: entry.slice(0, eq), value: entry.slice(eq + 1) };
    }
    if (!isRecord(entry)) fail(path, `${where}[${i}] must be "KEY=VALUE" or {key, value, secret}`);
    if (typeof entry.key !== "string" || entry.key === "") fail(path, `${where}[${i}] needs a non-empty string "key"`);
    if (!ENV_KEY.test(entry.key)) badKey(i, entry.key);
    const value = entry.value === undefined || entry.value === null ? "" : scalarText(entry.value);
    if (value === undefined) fail(path, `${where}[${i}].value must be a string`);
    const out: EnvironmentEntry = { key: entry.key, value };
    if (entry.secret !== undefined && entry.secret !== null) {
      if (typeof entry.secret !== "boolean") fail(path, `${where}[${i}].secret must be true or false`);
      out.secret = entry.secret;
    }
    return out;
  });
}

function section(path: string, doc: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = doc[key] ?? {};
  if (!isRecord(value)) fail(path, `${key} must be a mapping`);
  // Without a prototype: `build.constructor` must not find Object.prototype.constructor.
  return Object.assign(Object.create(null) as Record<string, unknown>, value);
}

/** "path:line:column", as compilers name a place in a file. */
function yamlPosition(path: string, problem: YAMLError): string {
  const at = problem.linePos?.[0];
  return at ? `${path}:${at.line}:${at.col}` : path;
}

/** The problem alone, on one line: the yaml library appends the place and a source excerpt. */
function yamlProblem(problem: YAMLError): string {
  const text = problem.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
  if (problem.code === "TAG_RESOLVE_FAILED") {
    const tag = /Unresolved tag: (\S+)/.exec(text)?.[1]?.replace(/^tag:yaml\.org,2002:/, "!!");
    return `unsupported YAML tag ${truncate(tag ?? "", 60)}`.trim() + " (.valar.yml holds plain values)";
  }
  return `not valid YAML: ${truncate(text, 120)}`;
}

export function parseValarYml(text: string, path: string, warn: Warn = () => {}): ValarYml {
  let doc: unknown;
  try {
    // parseDocument, not parse: parse prints its warnings (an unknown tag such as
    // !!js/function) as a raw YAMLWarning of the process; here each is an error of the file.
    const parsed = parseDocument(text);
    const problem = parsed.errors[0] ?? parsed.warnings[0];
    if (problem) fail(yamlPosition(path, problem), yamlProblem(problem));
    doc = parsed.toJS() ?? {};
  } catch (err) {
    if (err instanceof UsageError) throw err;
    fail(path, `not valid YAML: ${truncate((err as Error).message.split("\n")[0]!, 120)}`);
  }
  if (!isRecord(doc)) fail(path, "must be a mapping of settings (project, service, build, deployment)");
  warnUnknownKeys(path, doc, warn);
  const build = section(path, doc, "build");
  const deployment = section(path, doc, "deployment");
  const str = (v: unknown, where: string): string | undefined => {
    if (v === undefined || v === null) return undefined;
    const text = scalarText(v);
    if (text === undefined || typeof v === "boolean") fail(path, `${where} must be a string`);
    return text;
  };
  const ignore = build.ignore ?? [];
  if (!Array.isArray(ignore)) fail(path, "build.ignore must be a list");
  const skip = deployment.skip;
  if (skip !== undefined && skip !== null && typeof skip !== "boolean") fail(path, "deployment.skip must be true or false");
  return {
    path,
    project: str(doc.project, "project"),
    service: str(doc.service, "service"),
    build: {
      constructor: str(build.constructor, "build.constructor"),
      ignore: ignore.map((x, i) => str(x, `build.ignore[${i}]`) ?? fail(path, `build.ignore[${i}] must be a string`)),
      environment: parseEnvironment(path, "build.environment", build.environment),
    },
    deployment: {
      skip: typeof skip === "boolean" ? skip : undefined,
      environment: parseEnvironment(path, "deployment.environment", deployment.environment),
    },
  };
}

/** The keys of Valar's original format, by section ("" for the top level). */
const KNOWN_KEYS: Record<string, readonly string[]> = {
  "": ["project", "service", "build", "deployment"],
  build: ["constructor", "ignore", "environment"],
  deployment: ["skip", "environment"],
};

/**
 * A key the format does not have is most often a typo that silently does nothing
 * (`bulid:`): a warning names the nearest known key. It is not an error, so a file
 * written for a newer version keeps working.
 */
function warnUnknownKeys(path: string, doc: Record<string, unknown>, warn: Warn): void {
  for (const [sectionName, known] of Object.entries(KNOWN_KEYS)) {
    const mapping = sectionName === "" ? doc : doc[sectionName];
    if (!isRecord(mapping)) continue;
    const prefix = sectionName === "" ? "" : `${sectionName}.`;
    for (const key of Object.keys(mapping)) {
      if (known.includes(key)) continue;
      const near = nearestName(key, known);
      const advice = near ? `did you mean ${prefix}${near}?` : `known keys: ${known.map((k) => prefix + k).join(", ")}`;
      warn(`${path}: unknown key ${quoted(prefix + key)} is not used; ${advice}`);
    }
  }
}
