import { spawnSync } from "node:child_process";
import { valar } from "../../helpers/run-in-process.js";
import { once } from "node:events";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { BIN, isolatedEnv, runValar, tempDir } from "../../helpers/cli.js";
import { startConnectProxy } from "../../helpers/connect-proxy.js";
import { json, startFaultServer, type FaultServer } from "../../helpers/fault-server.js";

/**
 * The network's edges: every attempt has a deadline that covers connecting (a proxy's
 * CONNECT included) and the headers, a proxy that drops its tunnels causes no storm of
 * CONNECTs, what cannot change in a moment is not retried, and a token no header can carry
 * is a token problem.
 */

const TOKEN = "tok_net_0123456789";
let srv: FaultServer;
let closedPort: number;

beforeEach(async () => {
  srv = await startFaultServer();
  srv.on("GET /users/info", (_req, res) => json(res, 200, { name: "me", projects: [] }));
  const gone = await startFaultServer();
  closedPort = gone.port;
  await gone.close();
});
afterEach(async () => {
  await srv.close();
});

function env(extra: Record<string, string | undefined> = {}) {
  return isolatedEnv({ VALAR_ENDPOINT: srv.endpoint, VALAR_TOKEN: TOKEN, ...extra });
}

describe("a proxy that misbehaves", () => {
  it("one that never answers CONNECT: each attempt ends at the deadline, then exit 6", async () => {
    const proxy = await startConnectProxy("silent");
    try {
      // In process: the fake clock takes the backoff between the attempts at once.
      const r = await valar(["auth", "status"], { env: env({ HTTP_PROXY: proxy.url, VALAR_HTTP_TIMEOUT: "0.5" }) });
      expect(r.exitCode).toBe(6);
      expect(r.stderr).toMatch(/^error: cannot reach the API at 127\.0\.0\.1:\d+: no answer in time \(timeout 0\.5 s\) \(after 4 attempts\)$/m);
      expect(proxy.seen).toHaveLength(4);
      expect(srv.requests).toHaveLength(0);
    } finally {
      await proxy.close();
    }
  });

  it.each([
    ["hangs up on every CONNECT", "hangup", "the proxy keeps closing the connection"],
    // Whether undici sees the close before or after writing the request is a race.
    ["closes every tunnel at once", "close", "(connection closed|the proxy keeps closing the connection)"],
  ] as const)("one that %s: a few CONNECTs per attempt, not a storm", async (_what, behaviour, reason) => {
    const proxy = await startConnectProxy(behaviour);
    try {
      // In process: the fake clock takes the backoff between the attempts at once.
      const r = await valar(["auth", "status"], { env: env({ HTTP_PROXY: proxy.url, VALAR_HTTP_TIMEOUT: "20" }) });
      expect(r.exitCode).toBe(6);
      expect(r.stderr).toMatch(new RegExp(`cannot reach the API at 127\\.0\\.0\\.1:\\d+: ${reason} \\(after 4 attempts\\)`));
      expect(proxy.seen.length).toBeGreaterThanOrEqual(4);
      expect(proxy.seen.length).toBeLessThanOrEqual(16);
    } finally {
      await proxy.close();
    }
  });

  it("Ctrl-C while the CONNECT is unanswered ends the command (exit 130)", async () => {
    const proxy = await startConnectProxy("silent");
    try {
      const child = runValar(["auth", "status"], { env: env({ HTTP_PROXY: proxy.url, VALAR_HTTP_TIMEOUT: "60" }), timeout: 30_000 });
      for (let i = 0; i < 200 && proxy.seen.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
      expect(proxy.seen).toHaveLength(1);
      child.kill("SIGINT");
      const r = await child;
      expect(r.exitCode).toBe(130);
      expect(r.stderr).not.toContain("at ");
    } finally {
      await proxy.close();
    }
  });
});

describe("failures another try would meet again", () => {
  it("a refused loopback endpoint fails at once and asks whether the sandbox runs, naming --endpoint", async () => {
    const endpoint = `http://127.0.0.1:${closedPort}/v2`;
    const r = await runValar(["--debug", "auth", "status", "--endpoint", endpoint], { env: env() });
    expect(r.exitCode).toBe(6);
    const lines = r.stderr.split("\n").filter((l) => /^(error|hint):/.test(l));
    expect(lines).toEqual([
      `error: cannot reach the API at 127.0.0.1:${closedPort}: connection refused`,
      `hint: is \`valar sandbox\` running? Nothing listens on 127.0.0.1:${closedPort}; check the endpoint (it comes from --endpoint)`,
    ]);
    expect(r.stderr).not.toContain("retrying");
  });

  it("the hint names VALAR_ENDPOINT, or the stored config, when the endpoint came from there", async () => {
    const endpoint = `http://127.0.0.1:${closedPort}/v2`;
    const fromEnv = await runValar(["builds", "ls", "-p", "p", "-s", "s"], { env: env({ VALAR_ENDPOINT: endpoint }) });
    expect(fromEnv.exitCode).toBe(6);
    expect(fromEnv.stderr).toContain("check the endpoint (it comes from VALAR_ENDPOINT)");

    const stored = env({ VALAR_ENDPOINT: undefined });
    mkdirSync(stored.VALAR_CONFIG_DIR!, { recursive: true });
    writeFileSync(join(stored.VALAR_CONFIG_DIR!, "config.json"), JSON.stringify({ endpoint }));
    const fromConfig = await runValar(["builds", "ls", "-p", "p", "-s", "s"], { env: stored });
    expect(fromConfig.exitCode).toBe(6);
    expect(fromConfig.stderr).toContain("check the endpoint (valar config get endpoint)");
  });

  const noUnshare = spawnSync("unshare", ["-rn", "true"]).status !== 0;
  it.skipIf(noUnshare)("a host name that does not resolve is not retried (in a namespace with no network)", async () => {
    // No network at all: the lookup fails on this machine, and nothing leaves it.
    const r = await execa("unshare", ["-rn", process.execPath, BIN, "--debug", "auth", "status"], {
      reject: false,
      extendEnv: false,
      env: env({ VALAR_ENDPOINT: "https://api.example.invalid/v2" }),
    });
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toMatch(/^error: cannot reach the API at api\.example\.invalid: (host not found|host name lookup failed)$/m);
    expect(r.stderr).toContain("hint: check the endpoint's host name (it comes from VALAR_ENDPOINT) and your DNS");
    expect(r.stderr).not.toContain("retrying");
  });
});

describe("a token no HTTP header can carry", () => {
  it.each([
    ["a line break", "tok\r\nX-Injected: 1"],
    ["a line break", "tok\nsecond"],
    ["a space or control character", "tok\u0007x"],
  ])("is a token problem (exit 4) naming where it came from, and nothing is sent: %s", async (what, token) => {
    const r = await runValar(["auth", "status"], { env: env({ VALAR_TOKEN: token }) });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toBe(`error: the token cannot be sent: it contains ${what}\nhint: the token comes from VALAR_TOKEN: correct it there`);
    expect(srv.requests).toHaveLength(0);
  });
});

describe("a body nested too deep", () => {
  const PRELOAD = fileURLToPath(new URL("../../fixtures/report-maxrss.mjs", import.meta.url));

  /** `builds ls` against an answer of `body`, sent in 1 MiB pieces; its exit, stderr and peak RSS in MiB. */
  async function ls(body: () => Iterable<string>) {
    srv.on("GET /projects/p/services/s/builds", async (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.on("error", () => undefined);
      for (const piece of body()) {
        if (res.destroyed) return;
        if (!res.write(piece)) await Promise.race([once(res, "drain"), once(res, "close")]);
      }
      res.end();
    });
    const rssFile = join(tempDir("valar-rss-"), "maxrss");
    const r = await runValar(["builds", "ls", "-p", "p", "-s", "s"], {
      env: env({ NODE_OPTIONS: `--import=${PRELOAD}`, VALAR_TEST_MAXRSS_FILE: rssFile }),
    });
    return { ...r, peakMiB: Number(readFileSync(rssFile, "utf8")) / 1024 };
  }

  it("32 MiB of brackets: refused in one line (exit 6), at the cost of a small answer", async () => {
    const small = await ls(function* () {
      yield "[]";
    });
    expect(small.exitCode).toBe(0);
    const deep = await ls(function* () {
      for (let i = 0; i < 32; i++) yield "[".repeat(1024 * 1024);
    });
    expect(deep.exitCode).toBe(6);
    expect(deep.stderr.split("\n")[0]).toBe("error: the API sent JSON nested more than 32 levels deep (HTTP 200)");
    expect(deep.stderr.split("\n")).toHaveLength(2);
    expect(deep.peakMiB - small.peakMiB).toBeLessThan(30);
  });
});
