import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runInProcess, valar } from "../helpers/run-in-process.js";
import { testEnv } from "../helpers/test-env.js";
import { json, requestsTo, startFaultServer, type FaultServer } from "../helpers/fault-server.js";

const GOOD = "vt_good_0123456789abcdefWXYZ";
let srv: FaultServer;

beforeEach(async () => {
  srv = await startFaultServer();
  srv.on("GET /users/info", (req, res) =>
    req.headers.authorization === `Bearer ${GOOD}`
      ? json(res, 200, { name: "ada", projects: ["alpha", "beta"] })
      : json(res, 401, { error: "invalid token" }),
  );
  srv.on("GET /", (_req, res) => json(res, 200, { version: "v2" }));
});
afterEach(async () => {
  await srv.close();
});

function baseEnv(extra: Record<string, string | undefined> = {}) {
  return testEnv(extra);
}
const configFile = (env: Record<string, string | undefined>) => join(env.VALAR_CONFIG_DIR!, "config.json");
const stored = (env: Record<string, string | undefined>) =>
  existsSync(configFile(env)) ? (JSON.parse(readFileSync(configFile(env), "utf8")) as Record<string, string>) : {};
function store(env: Record<string, string | undefined>, values: Record<string, string>) {
  mkdirSync(env.VALAR_CONFIG_DIR!, { recursive: true });
  writeFileSync(configFile(env), JSON.stringify(values), { mode: 0o600 });
}
const login = (args: string[], env: Record<string, string | undefined>, input: string) => valar(["auth", "login", ...args], { env, input });

describe("auth login", () => {
  it("takes the token from piped stdin, checks it, stores it with the endpoint and says who is logged in", async () => {
    const env = baseEnv();
    const r = await login(["--endpoint", srv.endpoint], env, `${GOOD}\n`);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain(`ok logged in to ${srv.endpoint} as ada`);
    expect(stored(env)).toEqual({ endpoint: srv.endpoint, token: GOOD, tokenEndpoint: srv.endpoint });
    expect(requestsTo(srv, "GET /users/info")[0]!.headers.authorization).toBe(`Bearer ${GOOD}`);
    expect(r.stdout + r.stderr).not.toContain(GOOD);
  });

  it("accepts --endpoint before the command too", async () => {
    const env = baseEnv();
    const r = await valar(["--endpoint", srv.endpoint, "auth", "login"], { env, input: GOOD });
    expect(r.exitCode).toBe(0);
    expect(stored(env).endpoint).toBe(srv.endpoint);
  });

  it("stores the endpoint it checked against when it came from VALAR_ENDPOINT", async () => {
    const env = baseEnv({ VALAR_ENDPOINT: srv.endpoint });
    const r = await login([], env, GOOD);
    expect(r.exitCode).toBe(0);
    expect(stored(env)).toEqual({ endpoint: srv.endpoint, token: GOOD, tokenEndpoint: srv.endpoint });
  });

  it("uses the stored endpoint without storing it again", async () => {
    const env = baseEnv();
    store(env, { endpoint: srv.endpoint, project: "p" });
    const r = await login([], env, GOOD);
    expect(r.exitCode).toBe(0);
    expect(stored(env)).toEqual({ endpoint: srv.endpoint, project: "p", token: GOOD, tokenEndpoint: srv.endpoint });
  });

  it("an invalid token → exit 4, nothing stored (an older token stays)", async () => {
    const env = baseEnv();
    store(env, { endpoint: srv.endpoint, token: "older-token-kept" });
    const r = await login([], env, "vt_bad_token_xyz\n");
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain("rejected");
    expect(r.stderr).toMatch(/^hint: .*nothing was stored/m);
    expect(stored(env)).toEqual({ endpoint: srv.endpoint, token: "older-token-kept" });
    expect(r.stdout).toBe("");
  });

  it("an invalid token on a fresh machine creates no token", async () => {
    const env = baseEnv();
    const r = await login(["--endpoint", srv.endpoint], env, "nope");
    expect(r.exitCode).toBe(4);
    expect(stored(env).token).toBeUndefined();
  });

  it("empty stdin → exit 2, nothing sent", async () => {
    const env = baseEnv();
    const r = await login(["--endpoint", srv.endpoint], env, "\n\n");
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("no token on stdin");
    expect(srv.requests).toHaveLength(0);
  });

  it("a plain http endpoint that is not loopback → exit 2 before reading or sending", async () => {
    const env = baseEnv();
    const r = await login(["--endpoint", "http://api.example.com/v2"], env, GOOD);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("refusing plain http://");
    expect(stored(env)).toEqual({});
  });

  it("says so when the endpoint is not a Valar v2 API", async () => {
    const other = await startFaultServer();
    try {
      other.on("GET /users/info", (_req, res) => {
        res.writeHead(404, { "content-type": "text/html" });
        res.end("<h1>Not Found</h1>");
      });
      other.on("GET /", (_req, res) => {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<h1>Hello</h1>");
      });
      const env = baseEnv();
      const r = await login(["--endpoint", other.endpoint], env, GOOD);
      expect(r.exitCode).toBe(6);
      expect(r.stderr).toContain("does not look like a Valar v2 API");
      expect(stored(env)).toEqual({});
    } finally {
      await other.close();
    }
  });

  it("warns that VALAR_TOKEN still takes precedence", async () => {
    const env = baseEnv({ VALAR_TOKEN: "from-env" });
    const r = await login(["--endpoint", srv.endpoint], env, GOOD);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/warning: VALAR_TOKEN is set/);
    expect(stored(env).token).toBe(GOOD);
  });
});

describe("a stored token is bound to its endpoint", () => {
  it("is not sent to another endpoint given by flag", async () => {
    const other = await startFaultServer();
    try {
      const env = baseEnv();
      const r1 = await login(["--endpoint", srv.endpoint], env, GOOD);
      expect(r1.exitCode).toBe(0);
      const r = await valar(["--endpoint", other.endpoint, "auth", "status"], { env });
      expect(r.exitCode).toBe(4);
      expect(r.stderr).toContain(`the stored token is for ${srv.endpoint}`);
      expect(r.stderr).toMatch(/^hint: .*valar auth login --endpoint/m);
      expect(other.requests).toHaveLength(0);
      // …while the endpoint it belongs to still gets it.
      expect((await valar(["auth", "status"], { env })).exitCode).toBe(0);
    } finally {
      await other.close();
    }
  });

  it("config set endpoint elsewhere warns that the token stays behind", async () => {
    const env = baseEnv();
    await login(["--endpoint", srv.endpoint], env, GOOD);
    const r = await valar(["config", "set", "endpoint", "https://api.example.com/v2"], { env });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain(`warning: the stored token is for ${srv.endpoint}`);
  });
});

describe("auth logout", () => {
  it("forgets the token and keeps the endpoint; status then exits 4", async () => {
    const env = baseEnv();
    store(env, { endpoint: srv.endpoint, token: GOOD, tokenEndpoint: srv.endpoint });
    const r = await valar(["auth", "logout"], { env });
    expect(r.exitCode).toBe(0);
    expect(stored(env)).toEqual({ endpoint: srv.endpoint });
    const s = await valar(["auth", "status"], { env });
    expect(s.exitCode).toBe(4);
    expect(s.stderr).toContain("not logged in");
  });

  it("is fine when nothing is stored", async () => {
    const r = await valar(["auth", "logout"], { env: baseEnv() });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain("no token was stored");
  });
});

describe("auth status", () => {
  it("shows endpoint, user, projects, a masked stored token", async () => {
    const env = baseEnv();
    store(env, { endpoint: srv.endpoint, token: GOOD });
    const r = await valar(["auth", "status"], { env });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(srv.endpoint);
    expect(r.stdout).toMatch(/User:\s+ada/);
    expect(r.stdout).toMatch(/Projects:\s+alpha, beta/);
    expect(r.stdout).toMatch(/Token:\s+vt_g…WXYZ \(stored\)/);
    expect(r.stdout + r.stderr).not.toContain(GOOD);
  });

  it("says when the token comes from VALAR_TOKEN", async () => {
    const env = baseEnv({ VALAR_TOKEN: GOOD, VALAR_ENDPOINT: srv.endpoint });
    store(env, { token: "stored-but-unused" });
    const r = await valar(["auth", "status"], { env });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/Token:\s+vt_g…WXYZ \(from VALAR_TOKEN\)/);
    expect(r.stdout).toMatch(/Endpoint:.*\(VALAR_ENDPOINT\)/);
  });

  it("--json: one JSON document", async () => {
    const env = baseEnv({ VALAR_TOKEN: GOOD, VALAR_ENDPOINT: srv.endpoint });
    const r = await valar(["auth", "status", "--json"], { env });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      endpoint: srv.endpoint,
      name: "ada",
      projects: ["alpha", "beta"],
      tokenSource: "env",
      token: "vt_g…WXYZ",
    });
  });

  it("masks a short token completely", async () => {
    srv.on("GET /users/info", (_req, res) => json(res, 200, { name: "bo", projects: [] }));
    const r = await valar(["auth", "status"], { env: baseEnv({ VALAR_TOKEN: "short", VALAR_ENDPOINT: srv.endpoint }) });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/Token:\s+\*\*\*\* /);
    expect(r.stdout).toMatch(/Projects:\s+\(none\)/);
  });

  it("no token → exit 4 with a hint, nothing sent", async () => {
    const r = await valar(["auth", "status", "--json"], { env: baseEnv({ VALAR_ENDPOINT: srv.endpoint }) });
    expect(r.exitCode).toBe(4);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^hint: .*valar auth login/m);
    expect(srv.requests).toHaveLength(0);
  });

  it("a rejected token → exit 4 naming where it came from", async () => {
    const env = baseEnv();
    store(env, { endpoint: srv.endpoint, token: "revoked-token-123" });
    const r = await valar(["auth", "status"], { env });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain("the stored token was rejected");
    expect(r.stdout).toBe("");
  });
});

describe("auth login on a terminal", () => {
  /** A terminal's stdin that holds what the user types; it records its raw-mode switches. */
  function typed(text: string) {
    const stdin = Object.assign(new PassThrough(), {
      isTTY: true,
      modes: [] as boolean[],
      setRawMode(mode: boolean) {
        this.modes.push(mode);
        return this;
      },
    });
    stdin.write(text);
    return stdin;
  }

  it("prompts without echo, says where to get a token, and stores the one typed", async () => {
    const env = baseEnv();
    const stdin = typed(`${GOOD}\r`);
    const r = await runInProcess(["auth", "login", "--endpoint", srv.endpoint], { env, stdinStream: stdin, stderrTTY: true });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(stdin.modes).toEqual([true, false]);
    expect(r.stderr).toContain("Token: ");
    expect(r.stderr).toContain(`Paste your Valar token for ${srv.endpoint}: `);
    expect(r.stdout + r.stderr).not.toContain(GOOD);
    expect(stored(env)).toEqual({ endpoint: srv.endpoint, token: GOOD, tokenEndpoint: srv.endpoint });
  });

  it("an empty line → exit 4 saying where to get one, nothing sent", async () => {
    const env = baseEnv();
    const r = await runInProcess(["auth", "login", "--endpoint", srv.endpoint], { env, stdinStream: typed("\r") });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/^error: no token entered$/m);
    expect(srv.requests).toHaveLength(0);
    expect(stored(env)).toEqual({});
  });
});
