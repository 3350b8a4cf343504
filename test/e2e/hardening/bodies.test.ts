import { afterEach, describe, expect, it } from "vitest";
import type { ServerResponse } from "node:http";
import { runValar } from "../../helpers/cli.js";
import { requestsTo } from "../../helpers/fault-server.js";
import { BUILDS_PATH } from "../../helpers/builds-fixtures.js";
import { jsonLine, startWaitServer, type WaitServer } from "../../fixtures/wait-server.js";

let srv: WaitServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

const MiB = 1024 * 1024;

/** Writes a JSON array of zeros until `limit` bytes or the client hangs up, minding backpressure. */
async function endlessArray(res: ServerResponse, limit: number): Promise<number> {
  res.writeHead(200, { "content-type": "application/json" });
  const chunk = Buffer.from("0,".repeat(32 * 1024));
  res.write("[");
  let sent = 1;
  while (sent < limit && !res.destroyed) {
    sent += chunk.length;
    if (!res.write(chunk))
      await new Promise((resolve) => {
        res.once("drain", resolve);
        res.once("close", resolve);
      });
  }
  res.end("0]");
  return sent;
}

describe("response bodies", () => {
  it("a JSON body over 32 MiB: exit 6 'response too large', read no further, not retried", async () => {
    srv = await startWaitServer("done");
    let sent = 0;
    srv.server.on(`GET ${BUILDS_PATH}`, async (_req, res) => {
      sent = await endlessArray(res, 256 * MiB);
    });
    const r = await runValar(["builds", "ls"], { env: srv.env() });
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toMatch(/^error: response too large: the API at 127\.0\.0\.1:\d+ sent more than 32 MiB$/m);
    expect(requestsTo(srv.server, `GET ${BUILDS_PATH}`)).toHaveLength(1);
    // The client hung up soon after the limit: the server never got to send it all.
    expect(sent).toBeLessThan(256 * MiB);
  });

  it("a declared Content-Length over 32 MiB is refused before its body is read", async () => {
    srv = await startWaitServer("done");
    srv.server.on(`GET ${BUILDS_PATH}`, (_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(5 * 1024 * MiB) });
      res.write("[");
      // …and nothing more: a client that waited for the body would hang until its timeout.
    });
    const r = await runValar(["builds", "ls"], { env: srv.env({ VALAR_HTTP_TIMEOUT: "60" }) });
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toMatch(/^error: response too large/m);
  });

  it("a log body that breaks off mid-way: exit 6, the lines before it printed", async () => {
    srv = await startWaitServer("done");
    srv.server.on(`GET ${srv.logsPath}`, (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write(jsonLine(1) + "\n");
      setTimeout(() => res.destroy(), 50);
    });
    const r = await runValar(["builds", "logs", "b1"], { env: srv.env() });
    expect(r.exitCode).toBe(6);
    expect(r.stdout).toBe("03:04:05Z line 1");
    expect(r.stderr).toMatch(/^error: the log of build b1c2d3e4-\S+ broke off: /m);
    expect(r.stderr.split("\n")).toHaveLength(2);
  });
});
