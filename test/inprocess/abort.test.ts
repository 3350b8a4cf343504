import { afterEach, describe, expect, it } from "vitest";
import { valar } from "../helpers/run-in-process.js";
import { json } from "../helpers/fault-server.js";
import { apiEnv } from "../helpers/builds-fixtures.js";
import { BUILD_ID, startWaitServer, type WaitServer } from "../fixtures/wait-server.js";

let srv: WaitServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

const posts = (s: WaitServer) => s.server.requests.filter((q) => q.method === "POST").map((q) => q.path);

describe("builds abort", () => {
  for (const status of ["pending", "running"]) {
    it(`aborts a ${status} build and says so on stderr`, async () => {
      srv = await startWaitServer(status);
      const r = await valar(["builds", "abort", "b1c2"], { env: apiEnv(srv.server) });
      expect(r.exitCode).toBe(0);
      expect(posts(srv)).toEqual([srv.abortPath]);
      expect(r.stderr).toBe(`ok aborted build ${BUILD_ID} (it was ${status})`);
      expect(r.stdout).toBe("");
    });
  }

  it("--json prints the build's id and the status aborted", async () => {
    srv = await startWaitServer("running");
    const r = await valar(["builds", "abort", "b1", "--json"], { env: apiEnv(srv.server) });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ id: BUILD_ID, status: "aborted" });
  });

  for (const status of ["done", "failed", "expired", "mystery"]) {
    it(`refuses a ${status} build with exit 1, naming the status; nothing is sent`, async () => {
      srv = await startWaitServer(status);
      const r = await valar(["builds", "abort", "b1"], { env: apiEnv(srv.server) });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain(
        `error: build ${BUILD_ID} ${status === "failed" || status === "expired" ? "has" : "is"} ${status}; only pending or running builds can be aborted`,
      );
      expect(posts(srv)).toEqual([]);
    });
  }

  it("reports the API's refusal when the build ended in the meantime (exit 1)", async () => {
    srv = await startWaitServer("running");
    srv.server.on(`POST ${srv.abortPath}`, (_req, res) => json(res, 409, { error: "build is not running" }));
    const r = await valar(["builds", "abort", "b1"], { env: apiEnv(srv.server) });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("build is not running");
  });

  it("reads the prefix from stdin with -", async () => {
    srv = await startWaitServer("running");
    const r = await valar(["builds", "abort", "-"], { env: apiEnv(srv.server), input: `${BUILD_ID}\n` });
    expect(r.exitCode).toBe(0);
    expect(posts(srv)).toEqual([srv.abortPath]);
  });

  it("exits 2 on a malformed prefix before sending anything", async () => {
    srv = await startWaitServer("running");
    const r = await valar(["builds", "abort", "b1/../x"], { env: apiEnv(srv.server) });
    expect(r.exitCode).toBe(2);
    expect(srv.server.requests).toEqual([]);
  });
});
