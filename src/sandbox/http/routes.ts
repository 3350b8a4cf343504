import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes, randomUUID } from "node:crypto";
import { createWriteStream, existsSync, renameSync, rmSync } from "node:fs";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";
import { BUILD_PREFIX, MAX_ARTIFACT_BYTES, isFinalStatus, type SubmitBuildResponse, type UserInfo } from "../../api/types.js";
import { HttpError, readJson, sendError, sendJson } from "./responses.js";
import { bearerMatches } from "../store/token.js";
import { OWNER, toBuild, toInspect, type BuildRecord } from "../store/build-store.js";
import { checkNames, checkProjectName, checkServiceName, environmentList, isArtifactKey, isObject, parseSubmit } from "./submit-checks.js";
import { toDeploy, versionLabel } from "../store/deploy-records.js";
import { streamLog } from "./log-follow.js";
import { listServices } from "./service-list.js";
import { refuseUnimplemented } from "./unimplemented.js";
import { archiveNameProblem } from "../run/archive-names.js";
import type { SandboxCore } from "../core.js";
import { UploadCheck } from "./upload-check.js";
import { isDiskFull } from "../store/atomic-files.js";

type Handler = (core: SandboxCore, req: IncomingMessage, res: ServerResponse, p: Params) => Promise<void> | void;
interface Params {
  project: string;
  service: string;
  id: string;
  url: URL;
}

/** Paths under /v2/projects/{p}/services/{s}/, by their remaining segments. */
const SERVICE_ROUTES: { match: (rest: string[]) => string | undefined; methods: Record<string, Handler> }[] = [
  { match: (r) => (r.length === 1 && r[0] === "artifacts" ? "" : undefined), methods: { POST: uploadArtifact } },
  { match: (r) => (r.length === 1 && r[0] === "builds" ? "" : undefined), methods: { GET: listBuilds, POST: submitBuild } },
  { match: (r) => (r.length === 2 && r[0] === "builds" ? r[1] : undefined), methods: { GET: filterBuilds } },
  { match: (r) => (r.length === 3 && r[0] === "builds" && r[2] === "inspect" ? r[1] : undefined), methods: { GET: inspectBuild } },
  { match: (r) => (r.length === 3 && r[0] === "builds" && r[2] === "logs" ? r[1] : undefined), methods: { GET: buildLogs } },
  { match: (r) => (r.length === 3 && r[0] === "builds" && r[2] === "abort" ? r[1] : undefined), methods: { POST: abortBuild } },
  { match: (r) => (r.length === 1 && r[0] === "deploys" ? "" : undefined), methods: { GET: listDeploys, POST: createDeploy } },
  { match: (r) => (r.length === 2 && r[0] === "deploys" && r[1] === "rollback" ? "" : undefined), methods: { POST: rollback } },
];

export async function route(core: SandboxCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const segments = pathSegments(url.pathname);
  if (segments[0] !== "v2") throw new HttpError(404, `no such route: ${url.pathname} (the API lives under /v2)`);
  const rest = segments.slice(1);

  if (rest.length === 0) {
    allow(req, ["GET"]);
    return sendJson(res, 200, { version: "v2" });
  }
  if (!bearerMatches(req.headers.authorization, core.token)) {
    // A body is not read for a client that may not send one: the answer closes the
    // connection, so a slow body cannot hold a socket after a failed login.
    throw new HttpError(401, req.headers.authorization ? "invalid token" : "missing bearer token", {
      "WWW-Authenticate": 'Bearer realm="valar-sandbox"',
      Connection: "close",
    });
  }
  if (rest.length === 2 && rest[0] === "users" && rest[1] === "info") {
    allow(req, ["GET"]);
    const info: UserInfo = { name: OWNER, projects: core.store.projectNames() };
    return sendJson(res, 200, info);
  }
  if (rest[0] === "projects" && rest.length >= 2) {
    refuseUnimplemented(rest.slice(2));
    if (rest[2] === "services" && rest.length <= 4) {
      // GET …/services/{prefix}: the Go client's `service ls` (an empty prefix is `services/`).
      allow(req, ["GET"]);
      const prefix = rest[3] ?? "";
      checkProjectName(rest[1]!);
      if (prefix) checkServiceName(prefix);
      return sendJson(res, 200, listServices(core, rest[1]!, prefix));
    }
  }
  if (rest[0] === "projects" && rest.length >= 5 && rest[2] === "services") {
    const [project, service] = [rest[1]!, rest[3]!];
    for (const r of SERVICE_ROUTES) {
      const id = r.match(rest.slice(4));
      if (id === undefined) continue;
      const handler = r.methods[req.method ?? ""];
      allow(req, Object.keys(r.methods));
      checkNames(project, service);
      return handler!(core, req, res, { project, service, id, url });
    }
  }
  throw new HttpError(404, `no such route: ${req.method} ${url.pathname}`);
}

/**
 * The path's segments, decoded. One trailing slash is dropped (Valar's Go client asks
 * `…/services/` and `…/builds/` for "all"); an empty segment anywhere else is no route,
 * so `builds//abort` can never be read as the builds list.
 */
function pathSegments(pathname: string): string[] {
  const trimmed = pathname.length > 1 && pathname.endsWith("/") ? pathname.slice(0, -1) : pathname;
  const segments = trimmed.split("/").slice(1);
  if (segments.includes("")) throw new HttpError(404, `no such route: ${pathname} (empty path segment)`);
  return segments.map(decodeSegment);
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new HttpError(400, "malformed URL");
  }
}

function allow(req: IncomingMessage, methods: string[]): void {
  if (!methods.includes(req.method ?? "")) {
    req.resume();
    throw new HttpError(405, `method ${req.method} not allowed here; use ${methods.join(" or ")}`, { Allow: methods.join(", ") });
  }
}

/**
 * Streams the upload to disk, counting: an artifact over the limit is answered 413 at once
 * (by Content-Length, or as soon as the count passes it) and nothing of it is kept.
 */
async function uploadArtifact(core: SandboxCore, req: IncomingMessage, res: ServerResponse, p: Params): Promise<void> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > MAX_ARTIFACT_BYTES) return refuseUpload(req, res);
  const key = randomBytes(16).toString("hex");
  // Written aside and renamed once whole: a crash mid-upload leaves only a .part file.
  const path = core.store.partialArtifactPath(key);
  let size = 0;
  const check = new UploadCheck(core.archiveLimits);
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > MAX_ARTIFACT_BYTES) return done(new HttpError(413, TOO_LARGE));
      const tooLarge = check.write(chunk);
      if (tooLarge) return done(new HttpError(413, `artifact refused: ${tooLarge.message}`));
      done(null, chunk);
    },
    flush(done) {
      const tooLarge = check.end();
      done(tooLarge ? new HttpError(413, `artifact refused: ${tooLarge.message}`) : null);
    },
  });
  // req is piped, not part of the pipeline: a refused upload must leave the request (and
  // its socket) alive, so the 413 can be read while the rest is drained.
  req.on("error", (err) => counter.destroy(err));
  req.on("aborted", () => counter.destroy(new Error("upload aborted")));
  req.pipe(counter);
  const out = createWriteStream(path, { mode: 0o600 });
  try {
    await pipeline(counter, out);
  } catch (err) {
    // A refusal can come before the file is even open: removed once it is closed, or it stays.
    if (!out.closed) await new Promise<void>((resolve) => out.once("close", () => resolve()));
    rmSync(path, { force: true });
    if (err instanceof HttpError) return refuseUpload(req, res, err.message);
    if (isDiskFull(err)) throw err; // answered 507, even once the whole body was read
    if (req.destroyed || req.aborted || req.socket.destroyed) return; // the client went away mid-upload
    throw err;
  }
  if (size === 0) {
    rmSync(path, { force: true });
    throw new HttpError(400, "the artifact is empty");
  }
  renameSync(path, core.store.artifactPath(key));
  core.store.seeProject(p.project);
  sendJson(res, 200, { artifact: key });
}

const TOO_LARGE = `artifact is larger than the ${MAX_ARTIFACT_BYTES / (1024 * 1024)} MB limit`;

export function refuseUpload(req: IncomingMessage, res: ServerResponse, message = TOO_LARGE): void {
  req.unpipe();
  sendError(res, 413, message);
  // Closing now would make the client's next write fail before it reads the answer: the
  // rest is drained (never kept) instead; a client that keeps sending far past the limit
  // is cut off.
  let drained = 0;
  req.on("data", (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > MAX_ARTIFACT_BYTES) req.socket.destroy();
  });
  req.on("error", () => {});
  req.resume();
}

function listBuilds(core: SandboxCore, _req: IncomingMessage, res: ServerResponse, p: Params): void {
  sendJson(
    res,
    200,
    core.store.listBuilds(p.project, p.service).map((b) => toBuild(core.freshen(b))),
  );
}

function filterBuilds(core: SandboxCore, _req: IncomingMessage, res: ServerResponse, p: Params): void {
  if (!BUILD_PREFIX.test(p.id)) throw new HttpError(400, `invalid build ID prefix "${p.id}": use letters, digits and dashes`);
  const prefix = p.id.toLowerCase();
  const matches = core.store.listBuilds(p.project, p.service).filter((b) => b.id.startsWith(prefix));
  sendJson(
    res,
    200,
    matches.map((b) => toBuild(core.freshen(b))),
  );
}

async function submitBuild(core: SandboxCore, req: IncomingMessage, res: ServerResponse, p: Params): Promise<void> {
  const input = parseSubmit(await readJson(req));
  if (!isArtifactKey(input.artifact) || !existsSync(core.store.artifactPath(input.artifact))) {
    throw new HttpError(404, `artifact "${input.artifact}" not found: upload it first (POST …/artifacts)`);
  }
  const id = randomUUID();
  const badName = await archiveNameProblem(core.store.artifactPath(input.artifact), core.store.buildDirs(id).src);
  if (badName) throw new HttpError(400, `artifact refused: ${badName}`);
  core.store.seeProject(p.project);
  const build: BuildRecord = {
    id,
    seq: core.store.nextSeq(),
    project: p.project,
    service: p.service,
    status: "pending",
    error: "",
    createdAt: new Date().toISOString(),
    constructor: input.constructor,
    artifact: input.artifact,
    buildEnvironment: input.buildEnvironment,
    deploy: { skip: input.skipDeploy, environment: input.deployEnvironment },
  };
  if (!input.skipDeploy) build.deploy.version = versionLabel(core.deploys.reserve(build, input.deployEnvironment));
  try {
    core.store.saveBuild(build);
  } catch (err) {
    // The build and its deployment exist together or not at all (a full disk).
    core.store.dropOrphanDeploys();
    throw err;
  }
  core.logs.append(build.id, "WRAPPER", "SETUP", `build ${build.id} queued`);
  core.note(`build ${build.id} (${p.project}/${p.service}) submitted, constructor ${build.constructor}`);
  core.runner.enqueue(build.id);
  const answer: SubmitBuildResponse = { id: build.id, status: "pending", createdAt: build.createdAt, deployment: build.deploy.version ?? "" };
  sendJson(res, 200, answer);
}

/**
 * A build of this service by its ID or by a prefix of it (the API's own examples inspect,
 * follow and abort `a1b2c3d4`): as on Valar, a prefix several builds share means the
 * newest of them.
 */
function findBuild(core: SandboxCore, p: Params): BuildRecord {
  const key = p.id.toLowerCase();
  let build = core.store.getBuild(key);
  if (build && (build.project !== p.project || build.service !== p.service)) build = undefined;
  if (!build && BUILD_PREFIX.test(key)) build = core.store.listBuilds(p.project, p.service).find((b) => b.id.startsWith(key));
  if (!build) throw new HttpError(404, "build not found");
  return core.freshen(build);
}

function inspectBuild(core: SandboxCore, _req: IncomingMessage, res: ServerResponse, p: Params): void {
  sendJson(res, 200, toInspect(findBuild(core, p)));
}

function buildLogs(core: SandboxCore, _req: IncomingMessage, res: ServerResponse, p: Params): void {
  const build = findBuild(core, p);
  if (build.status === "expired") {
    res.writeHead(204);
    res.end();
    return;
  }
  res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" });
  res.flushHeaders();
  const follow = ["true", "1"].includes(p.url.searchParams.get("follow") ?? "");
  const isFinal = () => isFinalStatus(core.store.getBuild(build.id)?.status ?? "expired");
  streamLog({ id: build.id, path: core.store.logPath(build.id), logs: core.logs, follow, isFinal }, res);
}

async function abortBuild(core: SandboxCore, _req: IncomingMessage, res: ServerResponse, p: Params): Promise<void> {
  const build = findBuild(core, p);
  if (build.status !== "pending" && build.status !== "running") {
    throw new HttpError(409, `build ${build.id} is ${build.status}: only pending or running builds can be aborted`);
  }
  core.logs.append(build.id, "WRAPPER", "TURNDOWN", "abort requested");
  await core.runner.abort(build.id, "aborted");
  sendJson(res, 200, {});
}

function listDeploys(core: SandboxCore, _req: IncomingMessage, res: ServerResponse, p: Params): void {
  sendJson(res, 200, core.deploys.list(p.project, p.service).map(toDeploy));
}

async function createDeploy(core: SandboxCore, req: IncomingMessage, res: ServerResponse, p: Params): Promise<void> {
  const body = await readJson(req);
  const fields = isObject(body) ? body : {};
  if (typeof fields.build !== "string" || !fields.build) throw new HttpError(400, `"build" is required: the ID of a done build`);
  const environment = environmentList(fields.environment, "environment");
  const build = core.store.getBuild(fields.build.toLowerCase());
  sendJson(res, 200, core.deploys.create(p.project, p.service, build && core.freshen(build), environment));
}

async function rollback(core: SandboxCore, req: IncomingMessage, res: ServerResponse, p: Params): Promise<void> {
  const body = await readJson(req);
  const raw = isObject(body) ? body.version : undefined;
  // The API sends an integer; "v3" (the submit answer's display form) is taken too.
  const version = typeof raw === "number" ? raw : typeof raw === "string" && /^v?\d+$/.test(raw) ? Number(raw.replace(/^v/, "")) : NaN;
  if (!Number.isSafeInteger(version) || version < 1) throw new HttpError(400, `"version" is required: the number of an earlier deployment (e.g. 3)`);
  sendJson(res, 200, core.deploys.rollback(p.project, p.service, version));
}
