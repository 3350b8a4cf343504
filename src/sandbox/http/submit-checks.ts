import { PROJECT_NAME, SERVICE_NAME, type EnvironmentEntry } from "../../api/types.js";
import { HttpError } from "./responses.js";
import { canonicalConstructor, knownConstructorNames } from "../run/constructors.js";

export interface SubmitInput {
  artifact: string;
  constructor: string;
  buildEnvironment: EnvironmentEntry[];
  skipDeploy: boolean;
  deployEnvironment: EnvironmentEntry[];
}

export function checkNames(project: string, service: string): void {
  checkProjectName(project);
  checkServiceName(service);
}

export function checkProjectName(project: string): void {
  if (!PROJECT_NAME.test(project)) {
    throw new HttpError(400, `invalid project name "${project}": use letters, digits and single dashes, starting with a letter`);
  }
}

export function checkServiceName(service: string): void {
  if (!SERVICE_NAME.test(service)) {
    throw new HttpError(400, `invalid service name "${service}": use letters and digits, starting with a letter`);
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Limits that keep an environment startable: Linux refuses one "KEY=VALUE" string over
 * 128 KiB and all of them together past ARG_MAX, and no variable can hold a NUL — any of
 * these would only fail later, inside the build, as an internal error.
 */
const MAX_ENV_ENTRY_BYTES = 64 * 1024;
const MAX_ENV_TOTAL_BYTES = 256 * 1024;

export function environmentList(raw: unknown, where: string): EnvironmentEntry[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new HttpError(400, `${where} must be a list of {"key","value"} objects`);
  let total = 0;
  const list = raw.map((e, i) => {
    const entry = environmentEntry(e, `${where}[${i}]`);
    total += Buffer.byteLength(entry.key) + Buffer.byteLength(entry.value) + 2;
    return entry;
  });
  if (total > MAX_ENV_TOTAL_BYTES) throw new HttpError(400, `${where} is ${total} bytes in all; the limit is ${MAX_ENV_TOTAL_BYTES}`);
  return list;
}

function environmentEntry(e: unknown, where: string): EnvironmentEntry {
  if (!isObject(e) || typeof e.key !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(e.key)) {
    throw new HttpError(400, `${where} needs a "key" that is a valid variable name`);
  }
  if (e.value !== undefined && typeof e.value !== "string") throw new HttpError(400, `${where}.value must be a string`);
  if (e.secret !== undefined && typeof e.secret !== "boolean") throw new HttpError(400, `${where}.secret must be a boolean`);
  const value = e.value ?? "";
  if (value.includes("\0")) throw new HttpError(400, `${where} (${e.key}): the value holds a NUL byte, which no environment variable can`);
  const size = Buffer.byteLength(e.key) + Buffer.byteLength(value) + 1;
  if (size > MAX_ENV_ENTRY_BYTES) throw new HttpError(400, `${where} (${e.key}) is ${size} bytes; the limit for one entry is ${MAX_ENV_ENTRY_BYTES}`);
  const entry: EnvironmentEntry = { key: e.key, value };
  if (e.secret !== undefined) entry.secret = e.secret;
  return entry;
}

/**
 * Variables that make the dynamic loader (or glibc's iconv) load code into every program
 * started: a build's own steps never need them, and refusing them keeps any tool the
 * sandbox might run with a build's environment clean. NODE_OPTIONS and the like stay
 * allowed: they reach only the build's own processes (see contain.ts).
 */
const LOADER_VARIABLE = /^(LD_|DYLD_)|^GCONV_PATH$/;

function refuseLoaderVariables(list: EnvironmentEntry[], where: string): EnvironmentEntry[] {
  const i = list.findIndex((e) => LOADER_VARIABLE.test(e.key));
  if (i >= 0) throw new HttpError(400, `${where}[${i}] (${list[i]!.key}): dynamic-loader variables (LD_*, DYLD_*, GCONV_PATH) are refused`);
  return list;
}

export function parseSubmit(body: unknown): SubmitInput {
  if (!isObject(body)) throw new HttpError(400, "request body must be a JSON object");
  if (typeof body.artifact !== "string" || !body.artifact) throw new HttpError(400, `"artifact" is required: the key of an uploaded artifact`);
  if (!isObject(body.build) || typeof body.build.constructor !== "string" || !body.build.constructor) {
    throw new HttpError(400, `"build.constructor" is required; known constructors: ${knownConstructorNames().join(", ")}`);
  }
  // Typed as Object's own `constructor` (a Function) by TypeScript; checked a string above.
  const constructor = body.build.constructor as unknown as string;
  if (!canonicalConstructor(constructor)) {
    throw new HttpError(400, `unknown constructor "${constructor}"; known constructors: ${knownConstructorNames().join(", ")}`);
  }
  const deployment = body.deployment ?? {};
  if (!isObject(deployment)) throw new HttpError(400, `"deployment" must be an object`);
  if (deployment.skip !== undefined && typeof deployment.skip !== "boolean") throw new HttpError(400, `"deployment.skip" must be a boolean`);
  return {
    artifact: body.artifact,
    constructor,
    buildEnvironment: refuseLoaderVariables(environmentList(body.build.environment, "build.environment"), "build.environment"),
    skipDeploy: deployment.skip === true,
    deployEnvironment: environmentList(deployment.environment, "deployment.environment"),
  };
}

/** Artifact keys are the sandbox's own random hex: anything else cannot name a file. */
export function isArtifactKey(key: string): boolean {
  return /^[0-9a-f]{32}$/.test(key);
}
