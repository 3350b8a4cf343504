import { afterEach, describe, expect, it } from "vitest";
import { valar } from "../helpers/run-in-process.js";
import { apiEnv } from "../helpers/builds-fixtures.js";
import { BUILD_ID, jsonLine, startWaitServer, type WaitServer } from "../fixtures/wait-server.js";

// `builds logs -f` when the log or the status cannot be read: many retries and polls, run
// at once on the fake clock.

let srv: WaitServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

/** What the CLI prints for jsonLine(i) with TZ=UTC. */
const shown = (i: number) => `03:04:05Z line ${i}`;

describe("builds logs -f: lost streams", () => {
  it("-f: a log stream that cannot be restored is not a failed build", async () => {
    srv = await startWaitServer("running");
    const s = srv;
    s.server.on(`GET ${s.logsPath}`, (_req, res, _b, n) => {
      if (n === 1) {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write(jsonLine(1) + "\n");
        setTimeout(() => res.destroy(), 20);
        return;
      }
      res.writeHead(503, { "content-type": "application/json" });
      res.end('{"error":"internal error"}');
    });
    let polls = 0;
    const listPath = `/projects/p/services/s/builds/${BUILD_ID}`;
    s.server.on(`GET ${listPath}`, (_req, res) => {
      // The build ends only after the CLI has given up on the log and kept polling.
      if (s.server.requests.filter((q) => q.path === s.logsPath).length >= 7 && ++polls > 3) s.build.status = "done";
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify([s.build]));
    });
    const r = await valar(["builds", "logs", "-f", BUILD_ID], { env: apiEnv(s.server, { TZ: "UTC" }) });
    expect(r.stdout).toBe(shown(1));
    expect(r.stderr).toMatch(/^warning: the log stream of build \S+ was lost/m);
    expect(r.exitCode).toBe(0);
  });

  it("-f exits 6 only when the status itself cannot be read", async () => {
    srv = await startWaitServer("running");
    const s = srv;
    s.server.on(`GET ${s.logsPath}`, (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(jsonLine(1) + "\n");
    });
    // The prefix resolves (first call), then every status read fails.
    s.server.on(`GET /projects/p/services/s/builds/${BUILD_ID}`, (_req, res, _b, n) => {
      res.writeHead(n === 1 ? 200 : 500, { "content-type": "application/json" });
      res.end(n === 1 ? JSON.stringify([s.build]) : '{"error":"internal error"}');
    });
    const r = await valar(["builds", "logs", "-f", BUILD_ID], { env: apiEnv(s.server, { TZ: "UTC" }) });
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toMatch(new RegExp(`^error: lost the connection to the API \\(.*\\); the outcome of build ${BUILD_ID} is unknown$`, "m"));
    expect(r.stderr).toMatch(/^hint: the build may still be running; /m);
  });
});
