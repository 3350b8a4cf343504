import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, expect, it } from "vitest";
import { runValar, tempDir } from "../../helpers/cli.js";
import { startConnectProxy } from "../../helpers/connect-proxy.js";
import { json, startFaultServer, type FaultServer } from "../../helpers/fault-server.js";
import { BUILDS_PATH, build, envFor } from "../../helpers/builds-fixtures.js";

/**
 * src/api/undici.ts and proxy-agent.ts take undici's agents from its modules and give
 * dispatchers the request and connect methods undici's index would: the index costs a
 * request-sending command a third of its CPU time and 6 MiB (see undici.ts). These hold
 * the trick to its promise: the built CLI sends its requests, directly and through a
 * proxy, and undici's index never runs.
 */

const PRELOAD = fileURLToPath(new URL("../../fixtures/report-undici-index.mjs", import.meta.url));
let server: FaultServer;
beforeEach(async () => {
  server = await startFaultServer();
  server.on(`GET ${BUILDS_PATH}`, (_req, res) => json(res, 200, [build("b1c2d3e4-0000-4000-8000-000000000001", "done", 1)]));
});
afterEach(() => server.close());

async function lsReportingIndex(extra: Record<string, string> = {}) {
  const file = join(tempDir("valar-undici-"), "index-loaded");
  const r = await runValar(["builds", "ls", "-q"], {
    env: envFor(server, { NODE_OPTIONS: `--import=${PRELOAD}`, VALAR_TEST_UNDICI_FILE: file, ...extra }),
  });
  return { ...r, indexLoaded: readFileSync(file, "utf8") };
}

it("a request goes out through the request method undici.ts gives dispatchers, without undici's index", async () => {
  const r = await lsReportingIndex();
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toBe("b1c2d3e4-0000-4000-8000-000000000001");
  expect(r.indexLoaded).toBe("false");
});

it("through a proxy, the tunnel uses the connect method proxy-agent.ts gives dispatchers, without the index", async () => {
  const proxy = await startConnectProxy();
  try {
    const r = await lsReportingIndex({ HTTP_PROXY: proxy.url });
    expect(r.exitCode).toBe(0);
    expect(proxy.seen).toEqual([`CONNECT 127.0.0.1:${server.port}`]);
    expect(r.indexLoaded).toBe("false");
  } finally {
    await proxy.close();
  }
});
