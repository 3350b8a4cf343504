import { createServer, type Server } from "node:https";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, isolatedEnv, runValar } from "../../helpers/cli.js";
import { startFaultServer, type FaultServer } from "../../helpers/fault-server.js";

const CERT = join(ROOT, "test", "fixtures", "tls", "cert.pem");
const BUILD = { id: "0123abcd-0000-4000-8000-000000000000", status: "done", error: "", createdAt: "2026-03-01T10:00:00Z" };
// ~7 MB of entries: the socket's reads go round their 4 MiB ring more than once.
const CONTENT = Array.from({ length: 60_000 }, (_, i) => `line ${i} ${"é".repeat(i % 40)}`);
const LOG = CONTENT.map(
  (content, i) => JSON.stringify({ timestamp: "2026-03-01T10:00:00Z", source: "PROCESS", stage: "", content }) + (i % 7 ? "\n" : "\r\n"),
).join("");

/** TLS failures: one readable line naming the host and the cause, a hint, no retry. */
describe("TLS failures", () => {
  let https: Server;
  let connections = 0;
  let endpoint: string;
  let plain: FaultServer;

  beforeAll(async () => {
    https = createServer({ cert: readFileSync(CERT), key: readFileSync(join(ROOT, "test", "fixtures", "tls", "key.pem")) }, (req, res) => {
      const path = new URL(req.url ?? "/", "https://x").pathname;
      if (path.endsWith(`/builds/${BUILD.id}/logs`)) {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end(LOG);
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(path.endsWith(`/builds/${BUILD.id}`) ? JSON.stringify([BUILD]) : "[]");
    });
    https.on("connection", () => connections++);
    await new Promise<void>((resolve) => https.listen(0, "127.0.0.1", resolve));
    endpoint = `https://127.0.0.1:${(https.address() as AddressInfo).port}/v2`;
    plain = await startFaultServer();
  });
  afterAll(async () => {
    https.closeAllConnections();
    await new Promise((resolve) => https.close(resolve));
    await plain.close();
  });

  const env = (extra: Record<string, string> = {}) => isolatedEnv({ VALAR_TOKEN: "secret-token", VALAR_PROJECT: "p", VALAR_SERVICE: "s", ...extra });

  it("a self-signed certificate: one line, a NODE_EXTRA_CA_CERTS hint, exit 6, one attempt", async () => {
    connections = 0;
    const r = await runValar(["builds", "ls", "--endpoint", endpoint], { env: env() });
    expect(r.exitCode).toBe(6);
    const host = new URL(endpoint).host;
    expect(r.stderr.split("\n")).toEqual([
      `error: cannot reach the API at ${host}: its TLS certificate is self-signed`,
      "hint: if the server uses a private CA, point NODE_EXTRA_CA_CERTS at that CA's certificate (a PEM file)",
    ]);
    expect(connections).toBe(1);
  });

  it("the hint works: with NODE_EXTRA_CA_CERTS naming the certificate, the same command succeeds", async () => {
    const r = await runValar(["builds", "ls", "--json", "--endpoint", endpoint], { env: env({ NODE_EXTRA_CA_CERTS: CERT }) });
    expect([r.exitCode, r.stdout]).toEqual([0, "[]"]);
  });

  it("a long log arrives whole over TLS (its socket reads into reused memory)", async () => {
    const r = await runValar(["builds", "logs", "--raw", BUILD.id, "--endpoint", endpoint], { env: env({ NODE_EXTRA_CA_CERTS: CERT }) });
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(r.stdout === CONTENT.join("\n")).toBe(true);
  });

  it("the build's lookup and its log share one connection: one TLS handshake", async () => {
    connections = 0;
    const r = await runValar(["builds", "logs", "--raw", BUILD.id, "--endpoint", endpoint], { env: env({ NODE_EXTRA_CA_CERTS: CERT }) });
    expect(r.exitCode).toBe(0);
    expect(connections).toBe(1);
  });

  it("https to a plain-http port: the handshake failure in words, not OpenSSL's two lines; one attempt", async () => {
    const r = await runValar(["builds", "ls", "--endpoint", `https://127.0.0.1:${plain.port}/v2`], { env: env() });
    expect(r.exitCode).toBe(6);
    expect(r.stderr.split("\n")).toEqual([
      `error: cannot reach the API at 127.0.0.1:${plain.port}: the TLS handshake failed (wrong version number)`,
      "hint: check that the endpoint speaks https on that port (valar config get endpoint)",
    ]);
  });
});
