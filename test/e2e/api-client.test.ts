import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isolatedEnv, runValar } from "../helpers/cli.js";
import { valar } from "../helpers/run-in-process.js";
import { json, requestsTo, stall, startFaultServer, waitForRequests, type FaultServer } from "../helpers/fault-server.js";
import { startConnectProxy } from "../helpers/connect-proxy.js";

// The API client's error paths, seen from outside: `valar auth status` sends GET /users/info.
const TOKEN = "tok_e2e_SECRET_0123456789abcdef";
let srv: FaultServer;

beforeEach(async () => {
  srv = await startFaultServer();
});
afterEach(async () => {
  await srv.close();
});

function env(extra: Record<string, string | undefined> = {}) {
  return isolatedEnv({
    VALAR_ENDPOINT: srv.endpoint,
    VALAR_TOKEN: TOKEN,
    VALAR_HTTP_TIMEOUT: "1",
    ...extra,
  });
}

// In process: the fake clock runs the retries (and their Retry-After) without waiting.
const status = (extra?: Record<string, string | undefined>, args: string[] = []) => valar(["auth", "status", ...args], { env: env(extra) });

const user = { name: "ada", projects: ["alpha", "beta"] };

function expectOneLineError(stderr: string) {
  expect(stderr).toMatch(/^error: .+$/m);
  expect(stderr).not.toMatch(/\n\s+at /); // no stack trace without --debug
}

describe("API client: status codes map to exit codes", () => {
  it("sends the bearer token and a User-Agent", async () => {
    srv.on("GET /users/info", (_req, res) => json(res, 200, user));
    // Spawned: the User-Agent names the package's real version.
    const r = await runValar(["auth", "status"], { env: env() });
    expect(r.exitCode).toBe(0);
    const [req] = requestsTo(srv, "GET /users/info");
    expect(req!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req!.headers["user-agent"]).toMatch(/^valar-cli\/\d+\.\d+\.\d+ node\//);
    expect(req!.url).toBe("/v2/users/info");
  });

  it("401 → exit 4 with a hint to log in, not retried", async () => {
    srv.on("GET /users/info", (_req, res) => json(res, 401, { error: "invalid token" }));
    const r = await status();
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain("invalid token");
    expect(r.stderr).toMatch(/^hint: .*VALAR_TOKEN/m);
    expect(requestsTo(srv, "GET /users/info")).toHaveLength(1);
  });

  it("403 → exit 4", async () => {
    srv.on("GET /users/info", (_req, res) => json(res, 403, { error: "forbidden" }));
    const r = await status();
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain("forbidden");
  });

  it("404 → exit 5 with the API's message", async () => {
    srv.on("GET /users/info", (_req, res) => json(res, 404, { error: "user not found" }));
    const r = await status();
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toContain("error: user not found");
  });

  it("another 4xx → exit 1 with the API's message, not retried", async () => {
    srv.on("GET /users/info", (_req, res) => json(res, 400, { error: "bad request, really" }));
    const r = await status();
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("bad request, really");
    expect(requestsTo(srv, "GET /users/info")).toHaveLength(1);
  });

  it("500 then success → retried, exit 0", async () => {
    srv.on("GET /users/info", (_req, res, _b, n) => (n === 1 ? json(res, 500, { error: "internal error" }) : json(res, 200, user)));
    const r = await status();
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("ada");
    expect(requestsTo(srv, "GET /users/info")).toHaveLength(2);
  });

  it("500 forever → exit 6 after 4 attempts", async () => {
    srv.on("GET /users/info", (_req, res) => json(res, 500, { error: "internal error" }));
    const r = await status();
    expect(r.exitCode).toBe(6);
    expectOneLineError(r.stderr);
    expect(r.stderr).toContain("internal error");
    expect(r.stderr).toContain("after 4 attempts");
    expect(requestsTo(srv, "GET /users/info")).toHaveLength(4);
  });

  it("429 with Retry-After → waits as told, then succeeds", async () => {
    srv.on("GET /users/info", (_req, res, _b, n) => {
      if (n === 1) {
        res.writeHead(429, { "retry-after": "1", "content-type": "application/json" });
        return void res.end('{"error":"slow down"}');
      }
      json(res, 200, user);
    });
    const r = await status({}, ["--debug"]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain("retrying in 1000 ms");
    expect(requestsTo(srv, "GET /users/info")).toHaveLength(2);
  });

  it("408 is retried too", async () => {
    srv.on("GET /users/info", (_req, res, _b, n) => (n === 1 ? json(res, 408, { error: "timeout" }) : json(res, 200, user)));
    const r = await status();
    expect(r.exitCode).toBe(0);
    expect(requestsTo(srv, "GET /users/info")).toHaveLength(2);
  });
});

describe("API client: undocumented answers and transport failures → exit 6", () => {
  it("HTML instead of JSON", async () => {
    srv.on("GET /users/info", (_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html><body>Welcome to nginx</body></html>");
    });
    const r = await status();
    expect(r.exitCode).toBe(6);
    expectOneLineError(r.stderr);
    expect(r.stderr).toContain("not JSON");
  });

  it("JSON of the wrong shape", async () => {
    srv.on("GET /users/info", (_req, res) => json(res, 200, { user: "ada" }));
    const r = await status();
    expect(r.exitCode).toBe(6);
    expectOneLineError(r.stderr);
    expect(r.stderr).toContain("unexpected response");
  });

  it("a 5xx HTML page from a proxy", async () => {
    srv.on("GET /users/info", (_req, res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html>Bad Gateway</html>");
    });
    const r = await status();
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toContain("HTTP 502");
  });

  it("a closed port (connection refused)", async () => {
    const port = srv.port;
    await srv.close();
    const r = await status({ VALAR_ENDPOINT: `http://127.0.0.1:${port}/v2` });
    expect(r.exitCode).toBe(6);
    expectOneLineError(r.stderr);
    expect(r.stderr).toContain("connection refused");
    srv = await startFaultServer(); // for afterEach
  });

  it("a stalled response times out (VALAR_HTTP_TIMEOUT)", async () => {
    srv.on("GET /users/info", stall);
    const r = await status({ VALAR_HTTP_TIMEOUT: "0.3" });
    expect(r.exitCode).toBe(6);
    expectOneLineError(r.stderr);
    expect(r.stderr).toContain("no answer in time");
    expect(requestsTo(srv, "GET /users/info")).toHaveLength(4);
  });

  it("a body that stalls halfway times out", async () => {
    srv.on("GET /users/info", (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"name": "ada", ');
    });
    const r = await status({ VALAR_HTTP_TIMEOUT: "0.3" });
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toContain("stalled");
  });

  it("a connection reset mid-answer", async () => {
    srv.on("GET /users/info", (req) => void req.socket.destroy());
    const r = await status();
    expect(r.exitCode).toBe(6);
    expectOneLineError(r.stderr);
    expect(requestsTo(srv, "GET /users/info")).toHaveLength(4);
  });
});

describe("API client: safety", () => {
  it("refuses plain http:// to a non-loopback host before any request (exit 2)", async () => {
    const r = await status({ VALAR_ENDPOINT: "http://api.example.com/v2" });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("refusing plain http://");
    expect(r.stderr).toContain("VALAR_ENDPOINT");
    expect(r.stderr).toMatch(/^hint: /m);
  });

  it("accepts http://localhost", async () => {
    srv.on("GET /users/info", (_req, res) => json(res, 200, user));
    const r = await status({ VALAR_ENDPOINT: `http://localhost:${srv.port}/v2` });
    // localhost may resolve to ::1 first where nothing listens; either way it is not refused as a usage error.
    expect(r.exitCode === 0 || r.exitCode === 6).toBe(true);
    expect(r.stderr).not.toContain("refusing");
  });

  it("an endpoint that is not a URL → exit 2", async () => {
    const r = await status({ VALAR_ENDPOINT: "not a url" });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("not a URL");
  });

  it("does not follow a redirect (the token stays with the endpoint)", async () => {
    srv.on("GET /users/info", (_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${srv.port}/elsewhere` });
      res.end();
    });
    const r = await status();
    expect(r.exitCode).toBe(6);
    expect(srv.requests.map((q) => q.path)).toEqual(["/users/info"]);
  });

  for (const [how, extra, args] of [
    ["--debug", {}, ["--debug"]],
    ["VALAR_DEBUG=1", { VALAR_DEBUG: "1" }, []],
  ] as const) {
    it(`${how} traces requests with the token redacted`, async () => {
      srv.on("GET /users/info", (_req, res, _b, n) => (n === 1 ? json(res, 503, { error: "internal error" }) : json(res, 200, user)));
      const r = await status(extra, [...args]);
      expect(r.exitCode).toBe(0);
      expect(r.stderr).toContain(`GET ${srv.endpoint}/users/info`);
      expect(r.stderr).toContain("← 503");
      expect(r.stderr).toContain("← 200");
      expect(r.stderr).toContain("authorization: Bearer ***");
      expect(r.stderr + r.stdout).not.toContain(TOKEN);
      expect(r.stderr + r.stdout).not.toContain(TOKEN.slice(4, -4));
    });
  }

  // Spawned: the launcher turns source maps on, and the stack must lead to src/, not dist/.
  for (const [how, extra, args] of [
    ["--debug", {}, ["--debug"]],
    ["VALAR_DEBUG=1", { VALAR_DEBUG: "1" }, []],
  ] as const) {
    it(`${how} prints the stack of a failure with src/ file names and lines`, async () => {
      srv.on("GET /users/info", (_req, res) => json(res, 401, { error: "invalid token" }));
      const r = await runValar(["auth", "status", ...args], { env: env(extra) });
      expect(r.exitCode).toBe(4);
      expect(r.stderr).toMatch(/^\s+at .*\/src\/[\w/.-]+\.ts:\d+:\d+\)?$/m);
      expect(r.stderr).not.toMatch(/^\s+at .*\/dist\//m);
    });
  }

  it("the token never appears on a failure under --debug either", async () => {
    srv.on("GET /users/info", (_req, res) => json(res, 401, { error: "invalid token" }));
    const r = await status({}, ["--debug"]);
    expect(r.exitCode).toBe(4);
    expect(r.stderr + r.stdout).not.toContain(TOKEN);
  });

  it("Ctrl-C during a request → exit 130, not 6", async () => {
    srv.on("GET /users/info", stall);
    const proc = runValar(["auth", "status"], { env: env({ VALAR_HTTP_TIMEOUT: "30" }) });
    await waitForRequests(srv, 1);
    proc.kill("SIGINT");
    const r = await proc;
    expect(r.exitCode).toBe(130);
    expect(r.stderr).toContain("interrupted");
  });
});

describe("API client: proxies", () => {
  it("goes through HTTP_PROXY when set", async () => {
    const proxy = await startConnectProxy();
    try {
      srv.on("GET /users/info", (_req, res) => json(res, 200, user));
      const r = await status({ HTTP_PROXY: proxy.url });
      expect(r.exitCode).toBe(0);
      expect(proxy.seen).toEqual([`CONNECT 127.0.0.1:${srv.port}`]);
      expect(requestsTo(srv, "GET /users/info")).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });

  it("NO_PROXY bypasses it", async () => {
    const proxy = await startConnectProxy();
    try {
      srv.on("GET /users/info", (_req, res) => json(res, 200, user));
      const r = await status({ http_proxy: proxy.url, NO_PROXY: "127.0.0.1" });
      expect(r.exitCode).toBe(0);
      expect(proxy.seen).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});
