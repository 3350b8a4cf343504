import { afterEach, describe, expect, it } from "vitest";
import { valar } from "../helpers/run-in-process.js";
import { apiEnv, BUILDS_PATH } from "../helpers/builds-fixtures.js";
import { fakeClock } from "../helpers/fake-clock.js";
import { startWaitServer, type WaitServer } from "../fixtures/wait-server.js";

let srv: WaitServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

describe("an answer that breaks off", () => {
  it("a JSON body that breaks off mid-way: exit 6, after the retries, slept on the clock", async () => {
    srv = await startWaitServer("done");
    srv.server.on(`GET ${BUILDS_PATH}`, (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('[{"id": "b1c2');
      setTimeout(() => res.destroy(), 50);
    });
    const clock = fakeClock(Date.now());
    const r = await valar(["builds", "ls"], { env: apiEnv(srv.server), clock });
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toMatch(/^error: cannot reach the API at 127\.0\.0\.1:\d+: /m);
    // Four attempts: three backoffs of 0.5 s doubling, less up to a quarter of jitter.
    expect(clock.sleeps).toHaveLength(3);
    clock.sleeps.forEach((ms, i) => expect(ms).toBeGreaterThan(0.75 * 500 * 2 ** i - 1));
  });
});
