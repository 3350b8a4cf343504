import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isolatedEnv, runValar } from "../../helpers/cli.js";
import { json, requestsTo, startFaultServer, type FaultServer } from "../../helpers/fault-server.js";
import { makeTree } from "../../helpers/tree.js";

const ARTIFACTS = "POST /projects/demo/services/web/artifacts";
const BUILDS = "POST /projects/demo/services/web/builds";
const SUBMITTED = { id: "1234abcd-0000-4000-8000-000000000001", status: "pending", createdAt: "2026-01-01T00:00:00Z", deployment: "" };

let server: FaultServer;
let dir: string;
let cleanup: () => void;
beforeAll(async () => {
  server = await startFaultServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  ({ dir, cleanup } = makeTree({ "build.sh": "echo hi\n" }));
});
afterEach(() => cleanup());

const env = () =>
  isolatedEnv({
    VALAR_ENDPOINT: server.endpoint,
    VALAR_TOKEN: "secret-token",
    VALAR_PROJECT: "demo",
    VALAR_SERVICE: "web",
  });

describe("uploads and the submission after them", () => {
  it.each([429, 503])("an upload answered %i with Retry-After is sent again after that delay; the build is submitted once", async (status) => {
    const seen: number[] = [];
    server.on(ARTIFACTS, (_req, res) => {
      seen.push(Date.now());
      if (seen.length === 1) {
        res.writeHead(status, { "retry-after": "1", "content-type": "application/json" });
        res.end(JSON.stringify({ error: "slow down" }));
      } else json(res, 200, { artifact: "art-7" });
    });
    server.on(BUILDS, (_req, res) => json(res, 200, SUBMITTED));
    const r = await runValar(["builds", "submit", dir, "-c", "shell"], { env: env() });
    expect(r.exitCode).toBe(0);
    const uploads = requestsTo(server, ARTIFACTS);
    expect(uploads).toHaveLength(2);
    // The same archive both times.
    expect(uploads[1]!.body.equals(uploads[0]!.body)).toBe(true);
    // Retry-After (1 s) was honoured, not the shorter backoff of the first retry.
    expect(seen[1]! - seen[0]!).toBeGreaterThanOrEqual(900);
    expect(requestsTo(server, BUILDS)).toHaveLength(1);
  });

  it("an upload answered 500 is not sent again (bytes may have been taken)", async () => {
    server.on(ARTIFACTS, (_req, res) => json(res, 500, { error: "disk full" }));
    const r = await runValar(["builds", "submit", dir, "-c", "shell"], { env: env() });
    expect(r.exitCode).toBe(6);
    expect(requestsTo(server, ARTIFACTS)).toHaveLength(1);
    expect(requestsTo(server, BUILDS)).toHaveLength(0);
  });

  it("a submission that fails after the upload gives the artifact key to retry with", async () => {
    server.on(ARTIFACTS, (_req, res) => json(res, 200, { artifact: "art-42" }));
    server.on(BUILDS, (_req, res) => json(res, 500, { error: "scheduler down" }));
    const r = await runValar(["builds", "submit", dir, "-c", "shell"], { env: env() });
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toMatch(/^error: the API failed: scheduler down \(HTTP 500\)$/m);
    expect(r.stderr).toMatch(/^hint: .*retry with --artifact art-42\b/m);
    // Not submitted twice.
    expect(requestsTo(server, BUILDS)).toHaveLength(1);
  });
});
