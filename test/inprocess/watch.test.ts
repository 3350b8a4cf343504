import { afterEach, describe, expect, it } from "vitest";
import { json } from "../helpers/fault-server.js";
import { apiEnv, BUILDS_PATH } from "../helpers/builds-fixtures.js";
import { valar } from "../helpers/run-in-process.js";
import { fakeClock } from "../helpers/fake-clock.js";
import { BUILD_ID, scriptedWaitServer, startWaitServer, type WaitServer } from "../fixtures/wait-server.js";

// `builds watch` off a terminal, in process: its polls and retries run at once on the fake
// clock (1.5 s each, so the elapsed times read past 1m 05s).

let srv: WaitServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

describe("builds watch (not a terminal)", () => {
  it("prints one line per status change, then the verdict; exit 0 for done", async () => {
    const s = (srv = await scriptedWaitServer(["pending", "pending", "running", "running", "running", "done"]));
    const clock = fakeClock(Date.now());
    const r = await valar(["builds", "watch", "b1c2"], { env: apiEnv(s.server, { TZ: "UTC" }), clock });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("");
    // A poll every 1.5 s, slept on the injected clock (then the backoff of the deployment
    // lookup, which this server does not answer).
    expect(clock.sleeps.slice(0, 5)).toEqual([1500, 1500, 1500, 1500, 1500]);
    const lines = r.stderr.split("\n");
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^build ${BUILD_ID}: pending \\(1m \\d\\ds\\)$`)),
      expect.stringMatching(new RegExp(`^build ${BUILD_ID}: running \\(1m \\d\\ds\\)$`)),
      expect.stringMatching(new RegExp(`^ok build ${BUILD_ID.slice(0, 8)} done in 1m \\d\\ds$`)),
    ]);
    expect(r.stderr).not.toContain("\u001B[");
    // Non-TTY watch shows no log lines, so it never opens the log.
    expect(s.server.requests.some((q) => q.path.endsWith("/logs"))).toBe(false);
  });

  it("watches the newest build when no prefix is given", async () => {
    const s = (srv = await scriptedWaitServer(["running", "done"]));
    const r = await valar(["builds", "watch"], { env: apiEnv(s.server, { TZ: "UTC" }) });
    expect(r.exitCode).toBe(0);
    expect(s.server.requests[0]!.path).toBe(BUILDS_PATH);
  });

  it("exits 3 for a failed build, naming its error", async () => {
    const s = (srv = await scriptedWaitServer(["running", "failed"], "exit status 1"));
    const r = await valar(["builds", "watch", BUILD_ID], { env: apiEnv(s.server, { TZ: "UTC" }) });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^FAILED build ${BUILD_ID.slice(0, 8)} failed after 1m \\d\\ds: exit status 1$`, "m"));
  });

  it("exits 3 for an unknown final status, printing it", async () => {
    const s = (srv = await scriptedWaitServer(["running", "cancelled"]));
    const r = await valar(["builds", "watch", "b1"], { env: apiEnv(s.server, { TZ: "UTC" }) });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^FAILED build ${BUILD_ID.slice(0, 8)} cancelled after `, "m"));
  });

  it("keeps reading the status through transient failures", async () => {
    srv = await startWaitServer("running");
    const s = srv;
    s.server.on(`GET ${BUILDS_PATH}/${BUILD_ID}`, (_req, res, _b, n) => {
      if (n <= 3) return json(res, 500, { error: "internal error" });
      if (n <= 6) return void res.destroy();
      s.build.status = n < 8 ? "running" : "done";
      json(res, 200, [s.build]);
    });
    const r = await valar(["builds", "watch", "b1"], { env: apiEnv(s.server, { TZ: "UTC" }) });
    expect(r.stderr).toMatch(new RegExp(`ok build ${BUILD_ID.slice(0, 8)} done in (\\d+[hms] )?\\d+[hms]$`));
    expect(s.server.requests.filter((q) => q.path === `${BUILDS_PATH}/${BUILD_ID}`).length).toBeGreaterThanOrEqual(8);
    expect(r.exitCode).toBe(0);
  });
});
