/**
 * The Valar API's objects, as the seed and valar-api.md document them. Shared by the
 * client (src/api) and the sandbox server (src/sandbox): the only code they share.
 */

export const BUILD_STATUSES = ["pending", "running", "done", "failed", "expired"] as const;
/** A status the API documents, or any other string a newer server may send. */
type BuildStatus = (typeof BUILD_STATUSES)[number] | (string & {});

export function isFinalStatus(status: string): boolean {
  // An unknown status a newer server sends is taken as final: only these two move on.
  return status !== "pending" && status !== "running";
}

/** An element of GET …/builds and GET …/builds/{prefix}. */
export interface Build {
  id: string;
  status: BuildStatus;
  error: string;
  createdAt: string;
}

/** GET …/builds/{id}/inspect */
export interface BuildInspect {
  id: string;
  constructor: string;
  status: BuildStatus;
  error: string;
  createdAt: string;
  flags: string;
  owner: string;
}

export interface EnvironmentEntry {
  key: string;
  value: string;
  secret?: boolean;
}

/** POST …/builds */
export interface SubmitBuildRequest {
  artifact: string;
  build: { constructor: string; environment?: EnvironmentEntry[] };
  deployment?: { skip?: boolean; environment?: EnvironmentEntry[] };
}

export interface SubmitBuildResponse {
  id: string;
  status: BuildStatus;
  createdAt: string;
  deployment: string;
}

/** POST …/artifacts */
export interface ArtifactResponse {
  artifact: string;
}

/** GET /users/info */
export interface UserInfo {
  name: string;
  projects: string[];
}

/** GET / */
export interface VersionInfo {
  version: string;
}

/** An element of GET …/deploys, and the answer of POST …/deploys and …/deploys/rollback. */
export interface Deploy {
  /** An integer (Valar's Go client reads it as int64); `v13` is only how it is shown. */
  version: number;
  createdAt: string;
  error: string;
  status: string;
  build: string;
}

/** POST …/deploys */
export interface CreateDeployRequest {
  build: string;
  environment?: EnvironmentEntry[];
}

/** One line of a build log in its JSON form. */
export interface LogEntry {
  timestamp: string;
  source: "WRAPPER" | "PROCESS" | "" | (string & {});
  stage: "SETUP" | "TURNDOWN" | "" | (string & {});
  content: string;
}

/** Artifacts larger than this are rejected by the API (and refused by the CLI before upload). */
export const MAX_ARTIFACT_BYTES = 128 * 1024 * 1024;

/** Constructor names and their documented aliases. `shell` exists only in the sandbox. */
export const CONSTRUCTORS: Record<string, readonly string[]> = {
  golang: ["go", "golang-1.17"],
  python: [],
  node: [],
  "node-static": [],
  static: [],
  docker: ["dockerfile", "kaniko"],
};

/** Project names: letters, digits and single dashes, starting with a letter. */
export const PROJECT_NAME = /^[A-Za-z](?:-?[A-Za-z0-9])*$/;
/** Service names: letters and digits, starting with a letter. */
export const SERVICE_NAME = /^[A-Za-z][A-Za-z0-9]*$/;
/** Environment variable names a build can read: not empty, no whitespace or NUL. */
export const ENV_KEY = /^[^\s\0]+$/;
/** Build ID prefixes: letters, digits and dashes, at least one character. */
export const BUILD_PREFIX = /^[A-Za-z0-9-]+$/;
