import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdirSync, rmSync } from "node:fs";
import { Store, type BuildRecord } from "../store/build-store.js";
import { LogBook } from "../store/log-book.js";
import { Runner } from "../run/runner.js";
import { Deploys } from "../store/deploy-records.js";
import { bearerMatches, loadOrCreateToken } from "../store/token.js";
import { lockDataDir } from "../store/data-dir-lock.js";
import { HttpError, sendError, sendJson } from "./responses.js";
import { refuseUpload, route } from "./routes.js";
import { MAX_ARTIFACT_BYTES } from "../../api/types.js";
import { limitClients } from "./slow-clients.js";
import { chooseContainment, containmentNotes, type ContainmentChoice, type ContainmentMode } from "../run/contain.js";
import { isDiskFull } from "../store/atomic-files.js";
import { recoverInterrupted } from "../store/recover.js";
import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from "../run/unpack.js";
import { defaultWorkRoot } from "../store/workroot.js";
import type { SandboxCore } from "../core.js";

export interface SandboxOptions {
  dataDir: string;
  /** 0 = any free port. */
  port: number;
  maxParallel: number;
  logTtlMs: number;
  /** The sandbox's own notes and unexpected errors (stderr). */
  note?: (line: string) => void;
  /** Grace between SIGTERM and SIGKILL when builds are stopped. */
  killGraceMs?: number;
  /** Caps on what one artifact may unpack to. */
  archiveLimits?: ArchiveLimits;
  /** How builds' processes are contained (default: the best this machine allows). */
  containment?: ContainmentChoice;
  /** Where builds run (default: a private directory under the system's temp dir). */
  workRoot?: string;
  /** The most output one build may log (default: DEFAULT_MAX_LOG_BYTES). */
  maxLogBytes?: number;
}

export interface RunningSandbox {
  /** e.g. http://127.0.0.1:PORT/v2 */
  endpoint: string;
  port: number;
  token: string;
  /** The containment in use: see contain.ts. */
  containment: ContainmentMode;
  /** Where builds run. */
  workRoot: string;
  close(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions): Promise<RunningSandbox> {
  const note = opts.note ?? (() => {});
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const unlock = await lockDataDir(opts.dataDir);
  try {
    return await serve(opts, note, unlock);
  } catch (err) {
    unlock();
    throw err;
  }
}

async function serve(opts: SandboxOptions, note: (line: string) => void, unlock: () => void): Promise<RunningSandbox> {
  const token = loadOrCreateToken(opts.dataDir);
  const workRoot = opts.workRoot ?? defaultWorkRoot(opts.dataDir);
  const store = new Store(opts.dataDir, workRoot);
  const logs = new LogBook((id) => store.logPath(id), opts.maxLogBytes);
  const deploys = new Deploys(store);
  const archiveLimits = opts.archiveLimits ?? DEFAULT_ARCHIVE_LIMITS;
  recoverInterrupted(store, logs, deploys, note);
  const containment = chooseContainment(opts.containment ?? "auto", { dataDir: opts.dataDir, workRoot });
  for (const line of containmentNotes(containment)) note(line);
  const runner = new Runner({
    store,
    logs,
    maxParallel: opts.maxParallel,
    containment,
    archiveLimits,
    killGraceMs: opts.killGraceMs,
    onFinished: (b) => deploys.buildFinished(b),
    note,
  });

  const freshen = (build: BuildRecord): BuildRecord => {
    if (build.status !== "done" && build.status !== "failed") return build;
    const since = Date.parse(build.finishedAt ?? build.createdAt);
    if (Date.now() - since < opts.logTtlMs) return build;
    build.status = "expired";
    store.updateBuild(build).catch(() => {
      // A full disk: expired in memory now, on disk at a later sweep or start.
    });
    logs.remove(build.id);
    return build;
  };

  const core: SandboxCore = { store, logs, runner, deploys, token, archiveLimits, freshen, note };
  const sweep = setInterval(() => store.allBuilds().forEach(freshen), Math.min(Math.max(opts.logTtlMs / 2, 250), 60_000));
  sweep.unref();
  store.allBuilds().forEach(freshen);

  // Node checks the headers timeout on this interval (30 s by default).
  const server = createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
    bodies.watch(req, res);
    void handle(core, req, res);
  });
  const bodies = limitClients(server);
  // A client that asks first (Expect: 100-continue, as curl does for large bodies) is
  // refused an oversized artifact before it sends a byte of it.
  server.on("checkContinue", (req, res) => {
    const declared = Number(req.headers["content-length"]);
    const authorized = bearerMatches(req.headers.authorization, token);
    if (authorized && req.method === "POST" && /\/artifacts\/?$/.test(req.url ?? "") && declared > MAX_ARTIFACT_BYTES) {
      refuseUpload(req, res);
      return;
    }
    // No body is invited from a client that will be refused it (401 closes the connection).
    if (authorized) res.writeContinue();
    bodies.watch(req, res);
    void handle(core, req, res);
  });
  // Even a request Node cannot parse gets a JSON error body.
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const slow = err.code === "ERR_HTTP_REQUEST_TIMEOUT";
    const body = JSON.stringify({ error: slow ? "request headers took too long" : "malformed HTTP request" });
    const status = slow ? "408 Request Timeout" : "400 Bad Request";
    socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
  });
  const port = await listen(server, opts.port);
  const endpoint = `http://127.0.0.1:${port}/v2`;

  const onExit = () => {
    runner.killAllNow();
    unlock();
  };
  process.on("exit", onExit);
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      clearInterval(sweep);
      bodies.stop();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await runner.shutdown();
      // The stopped builds' last states reach the disk before the lock is let go.
      await store.flush();
      // Nothing runs in the work root any more: it goes with the sandbox (the next start
      // makes it afresh), so no empty /tmp/valar-sandbox-… is left behind.
      rmSync(workRoot, { recursive: true, force: true, maxRetries: 2 });
      // Followers' responses ended with their builds; idle keep-alive sockets go now.
      server.closeAllConnections();
      await stopped;
      process.off("exit", onExit);
      unlock();
    })());
  return { endpoint, port, token, containment: containment.mode, workRoot, close };
}

async function handle(core: SandboxCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    await route(core, req, res);
  } catch (err) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof HttpError) {
      sendError(res, err.status, err.message, err.headers);
      return;
    }
    if (isDiskFull(err)) {
      core.note(`${req.method} ${req.url}: ${(err as Error).message}`);
      // Not an internal fault to hide: the client learns why, and that trying later may work.
      sendJson(res, 507, { error: "no space left on the sandbox's disk: try again once space is freed" });
      return;
    }
    core.note(`internal error on ${req.method} ${req.url}: ${(err as Error).stack ?? String(err)}`);
    sendError(res, 500, "internal error");
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
