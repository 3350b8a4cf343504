import { afterEach, describe, expect, it } from "vitest";
import { valar } from "../helpers/run-in-process.js";
import { json } from "../helpers/fault-server.js";
import { BUILDS_PATH, DEPLOYS_PATH } from "../helpers/builds-fixtures.js";
import { BUILD_ID, scriptedWaitServer, type WaitServer } from "../fixtures/wait-server.js";

// Waiting includes the deployment: `submit -w` goes on after the build is done until the
// deployment it reserved leaves `pending`. The server moves on per read, so the fake clock
// makes every step certain (the sandbox's half second of `pending` can be missed).
let srv: WaitServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

/** A build that is pending, running, then done, whose deployment v3 is pending for `pendingReads` reads. */
async function deployingBuild(pendingReads: number): Promise<WaitServer> {
  const s = await scriptedWaitServer(["pending", "running", "done"]);
  s.server.on(`POST ${BUILDS_PATH}`, (_req, res) =>
    json(res, 200, { id: BUILD_ID, status: "pending", createdAt: s.build.createdAt, deployment: "v3" }),
  );
  let deployReads = 0;
  s.server.on(`GET ${DEPLOYS_PATH}`, (_req, res) => {
    const status = s.build.status === "done" && ++deployReads > pendingReads ? "done" : "pending";
    json(res, 200, [{ version: 3, createdAt: s.build.createdAt, error: "", status, build: BUILD_ID }]);
  });
  return s;
}

const deployReads = (s: WaitServer) => s.server.requests.filter((q) => q.path === DEPLOYS_PATH).length;

describe("submit -w waits for the deployment", () => {
  it("says the deployment is pending once, then that it is live", async () => {
    srv = await deployingBuild(2);
    const r = await valar(["builds", "submit", "--artifact", "art-1", "-c", "shell", "-w"], { env: srv.env() });
    expect(r.exitCode).toBe(0);
    expect(r.stderr.split("\n").filter((l) => l === "deployment v3: pending")).toHaveLength(1);
    expect(r.stderr).toMatch(/^ok build b1c2d3e4 done in 1m \d+s - deployment v3 live$/m);
    expect(deployReads(srv)).toBeGreaterThanOrEqual(3);
  });

  it("--json: the deployment's events are pending, then done, before the result", async () => {
    srv = await deployingBuild(2);
    const r = await valar(["builds", "submit", "--artifact", "art-1", "-c", "shell", "-w", "--json"], { env: srv.env() });
    expect(r.exitCode).toBe(0);
    const events = r.stdout.split("\n").map((l) => JSON.parse(l) as { event: string; status?: string; deployment?: { status: string } });
    expect(events.filter((e) => e.event === "deployment").map((e) => e.status)).toEqual(["pending", "done"]);
    expect(events.at(-1)).toMatchObject({ event: "result", status: "done", deployment: { status: "done" } });
  });

  it("--no-wait-deploy stops at the build's end, the deployment still pending", async () => {
    srv = await deployingBuild(2);
    const r = await valar(["builds", "submit", "--artifact", "art-1", "-c", "shell", "-w", "--no-wait-deploy"], { env: srv.env() });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).not.toContain("deployment v3: pending\n");
    expect(r.stderr).toMatch(/^ok build b1c2d3e4 done in 1m \d+s - deployment v3 pending$/m);
  });
});
