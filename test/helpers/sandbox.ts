import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { BIN, isolatedEnv, tempDir } from "./cli.js";

export interface SandboxOpts {
  /** Default: a fresh temporary directory. Pass the same one again to test a restart. */
  dataDir?: string;
  maxParallel?: number;
  /** e.g. "2s" for expiry tests. */
  logTtl?: string;
  /** Extra environment for the sandbox process (and so for its builds). */
  env?: Record<string, string | undefined>;
  /** A limit on the sandbox's open files (run under `prlimit --nofile`). */
  openFiles?: number;
  /** More `valar sandbox` flags, e.g. ["--isolation", "group"]. */
  args?: string[];
}

export interface TestSandbox {
  /** http://127.0.0.1:PORT/v2 */
  endpoint: string;
  token: string;
  dataDir: string;
  /** The sandbox process's ID (e.g. to read its memory use from /proc). */
  pid: number;
  /** The sandbox's stderr so far (its notes). */
  stderr(): string;
  /** Where its builds run (from its start-up note). */
  workRoot: string;
  /**
   * An isolated environment for `runValar` pointing at this sandbox: VALAR_ENDPOINT,
   * VALAR_TOKEN, VALAR_PROJECT=demo, VALAR_SERVICE=web (extra wins).
   */
  env(extra?: Record<string, string | undefined>): Record<string, string | undefined>;
  /** Ctrl-C (SIGINT) and wait for the clean shutdown; resolves with the exit code. */
  stop(): Promise<number | undefined>;
  /** A crash: SIGKILL, no shutdown at all (the builds it ran are left behind). */
  kill(): Promise<void>;
}

/** Starts `bin/valar.js sandbox --port 0` and waits until it prints its export lines. */
export async function startSandbox(opts: SandboxOpts = {}): Promise<TestSandbox> {
  const dataDir = opts.dataDir ?? tempDir("valar-sandbox-");
  const args = [BIN, "sandbox", "--port", "0", "--data-dir", dataDir];
  if (opts.maxParallel !== undefined) args.push("--max-parallel", String(opts.maxParallel));
  if (opts.logTtl !== undefined) args.push("--log-ttl", opts.logTtl);
  args.push(...(opts.args ?? []));
  // The sandbox's own PATH may be trimmed by a test (missing toolchains): node by its path.
  const [file, argv] =
    opts.openFiles === undefined ? [process.execPath, args] : ["prlimit", [`--nofile=${opts.openFiles}`, "--", process.execPath, ...args]];
  const child = execa(file, argv, {
    reject: false,
    extendEnv: false,
    env: isolatedEnv(opts.env),
    stdin: "ignore",
    buffer: false,
  }) as ResultPromise;

  let stdout = "";
  let stderr = "";
  child.stderr!.setEncoding("utf8");
  const started = await new Promise<{ endpoint: string; token: string; workRoot: string }>((resolve, reject) => {
    // Below vitest's 30 s hook timeout, so a slow start reports its output instead of a bare timeout.
    const timer = setTimeout(() => fail(new Error("the sandbox did not start within 25s")), 25_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${err.message}\nstdout: ${stdout}\nstderr: ${stderr}`));
    };
    // Started once it printed its export lines and the note naming its work directory.
    const check = () => {
      const ep = /^export VALAR_ENDPOINT=(\S+)$/m.exec(stdout);
      const tk = /^export VALAR_TOKEN=(\S+)$/m.exec(stdout);
      const wr = /builds run in (\S+) with/.exec(stderr);
      if (ep && tk && wr) {
        clearTimeout(timer);
        resolve({ endpoint: ep[1]!, token: tk[1]!, workRoot: wr[1]! });
      }
    };
    child.stderr!.on("data", (s: string) => {
      stderr += s;
      check();
    });
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (s: string) => {
      stdout += s;
      check();
    });
    child.then((r) => fail(new Error(`the sandbox exited early (code ${r.exitCode})`)), fail);
  });
  const { endpoint, token, workRoot } = started;

  let stopped: Promise<number | undefined> | undefined;
  return {
    endpoint,
    token,
    dataDir,
    pid: child.pid!,
    stderr: () => stderr,
    workRoot,
    env: (extra = {}) => isolatedEnv({ VALAR_ENDPOINT: endpoint, VALAR_TOKEN: token, VALAR_PROJECT: "demo", VALAR_SERVICE: "web", ...extra }),
    stop: () =>
      (stopped ??= (async () => {
        child.kill("SIGINT");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        const r = await child;
        clearTimeout(timer);
        return r.exitCode;
      })()),
    kill: async () => {
      child.kill("SIGKILL");
      await child;
    },
  };
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/**
 * A raw request to the sandbox (path relative to /v2, e.g. "/users/info"). The token is
 * sent unless token is null; body: a Buffer is sent as is, anything else as JSON.
 */
export async function sandboxRequest(
  sb: Pick<TestSandbox, "endpoint" | "token">,
  method: string,
  path: string,
  opts: { body?: unknown; token?: string | null } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = {};
  const token = opts.token === undefined ? sb.token : opts.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  let body: string | Buffer | undefined;
  if (Buffer.isBuffer(opts.body)) {
    body = opts.body;
    headers["Content-Type"] = "application/octet-stream";
  } else if (typeof opts.body === "string") {
    body = opts.body;
    headers["Content-Type"] = "application/json";
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["Content-Type"] = "application/json";
  }
  const res = await fetch(sb.endpoint + path, { method, headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A .tar.gz of the given files (build.sh, *.sh and those named in `executable` are executable). */
export async function packFiles(files: Record<string, string>, executable: string[] = []): Promise<Buffer> {
  const tar = await import("tar");
  const dir = tempDir("valar-src-");
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content, { mode: name.endsWith(".sh") || executable.includes(name) ? 0o755 : 0o644 });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of tar.c({ gzip: true, cwd: dir, portable: true }, Object.keys(files))) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Uploads files as an artifact and submits a build of them; returns the submit answer. */
export async function submitFiles(
  sb: Pick<TestSandbox, "endpoint" | "token">,
  files: Record<string, string>,
  opts: {
    constructorName?: string;
    project?: string;
    service?: string;
    skipDeploy?: boolean;
    environment?: { key: string; value: string }[];
    executable?: string[];
  } = {},
): Promise<{ id: string; status: string; createdAt: string; deployment: string }> {
  const base = `/projects/${opts.project ?? "demo"}/services/${opts.service ?? "web"}`;
  const up = await sandboxRequest(sb, "POST", `${base}/artifacts`, { body: await packFiles(files, opts.executable) });
  if (up.status !== 200) throw new Error(`upload failed: ${up.status} ${up.text}`);
  const sub = await sandboxRequest(sb, "POST", `${base}/builds`, {
    body: {
      artifact: up.json.artifact,
      build: { constructor: opts.constructorName ?? "shell", environment: opts.environment ?? [] },
      deployment: { skip: opts.skipDeploy ?? false },
    },
  });
  if (sub.status !== 200) throw new Error(`submit failed: ${sub.status} ${sub.text}`);
  return sub.json;
}

/** Polls a build until its status is final (or the timeout passes); returns its inspect object. */
export async function waitForBuild(
  sb: Pick<TestSandbox, "endpoint" | "token">,
  id: string,
  opts: { project?: string; service?: string; until?: (status: string) => boolean; timeoutMs?: number } = {},
): Promise<{ id: string; status: string; error: string; constructor: string }> {
  const path = `/projects/${opts.project ?? "demo"}/services/${opts.service ?? "web"}/builds/${id}/inspect`;
  const until = opts.until ?? ((s: string) => s !== "pending" && s !== "running");
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  for (;;) {
    const r = await sandboxRequest(sb, "GET", path);
    if (r.status === 200 && until(r.json.status)) return r.json;
    if (Date.now() > deadline) throw new Error(`build ${id} still ${r.json?.status} after waiting`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Polls a service's deployments until none is pending (a done build's goes live shortly after it). */
export async function waitForDeploysSettled(sb: Pick<TestSandbox, "endpoint" | "token">, servicePath: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await sandboxRequest(sb, "GET", `${servicePath}/deploys`);
    if (list.json.every((d: { status: string }) => d.status !== "pending") || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
