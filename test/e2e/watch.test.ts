import { afterEach, describe, expect, it } from "vitest";
import { json } from "../helpers/fault-server.js";
import { BUILDS_PATH } from "../helpers/builds-fixtures.js";
import { runValar } from "../helpers/cli.js";
import { valar } from "../helpers/run-in-process.js";
import { BUILD_ID, startWaitServer, type WaitServer } from "../fixtures/wait-server.js";

let srv: WaitServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

/** Status reads (GET …/builds/<full id>) walk through `statuses`, staying on the last one. */
async function scripted(statuses: string[], error = "") {
  srv = await startWaitServer(statuses[0]);
  const s = srv;
  s.server.on(`GET ${BUILDS_PATH}/${BUILD_ID}`, (_req, res, _b, n) => {
    s.build.status = statuses[Math.min(n - 1, statuses.length - 1)]!;
    if (s.build.status === "failed") s.build.error = error;
    json(res, 200, [s.build]);
  });
  return s;
}

describe("builds watch (not a terminal)", () => {
  it("prints one line per status change, then the verdict; exit 0 for done", async () => {
    const s = await scripted(["pending", "pending", "running", "running", "running", "done"]);
    // In process: the fake clock runs the 1.5 s polls at once (and counts them in the times).
    const r = await valar(["builds", "watch", "b1c2"], { env: s.env() });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("");
    const lines = r.stderr.split("\n");
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^build ${BUILD_ID}: pending \\(1m \\d+s\\)$`)),
      expect.stringMatching(new RegExp(`^build ${BUILD_ID}: running \\(1m \\d+s\\)$`)),
      expect.stringMatching(new RegExp(`^ok build ${BUILD_ID.slice(0, 8)} done in 1m \\d+s$`)),
    ]);
    expect(r.stderr).not.toContain("\u001B[");
    // Non-TTY watch shows no log lines, so it never opens the log.
    expect(s.server.requests.some((q) => q.path.endsWith("/logs"))).toBe(false);
  });

  it("watches the newest build when no prefix is given", async () => {
    const s = await scripted(["running", "done"]);
    const r = await runValar(["builds", "watch"], { env: s.env() });
    expect(r.exitCode).toBe(0);
    expect(s.server.requests[0]!.path).toBe(BUILDS_PATH);
  });

  it("exits 3 for a failed build, naming its error", async () => {
    const s = await scripted(["running", "failed"], "exit status 1");
    const r = await runValar(["builds", "watch", BUILD_ID], { env: s.env() });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^FAILED build ${BUILD_ID.slice(0, 8)} failed after 1m 0\\ds: exit status 1$`, "m"));
  });

  it("exits 3 for an unknown final status, printing it", async () => {
    const s = await scripted(["running", "cancelled"]);
    const r = await runValar(["builds", "watch", "b1"], { env: s.env() });
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
    const r = await runValar(["builds", "watch", "b1"], { env: s.env() });
    expect(r.stderr).toMatch(new RegExp(`ok build ${BUILD_ID.slice(0, 8)} done in (\\d+[hms] )?\\d+[hms]$`));
    expect(s.server.requests.filter((q) => q.path === `${BUILDS_PATH}/${BUILD_ID}`).length).toBeGreaterThanOrEqual(8);
    expect(r.exitCode).toBe(0);
  });

  it("--timeout exits 124 and says the build goes on", async () => {
    const s = await scripted(["running"]);
    const r = await runValar(["builds", "watch", "b1", "--timeout", "300ms"], { env: s.env() });
    expect(r.exitCode).toBe(124);
    expect(r.stderr).toMatch(/^stopped waiting after 300ms; build \S+ goes on$/m);
    expect(r.stderr).toContain(`hint: keep waiting with \`valar builds watch ${BUILD_ID}\``);
  });

  it("Ctrl-C exits 130 with the abort hint; --abort-on-interrupt aborts first", async () => {
    for (const abort of [false, true]) {
      const s = await scripted(["running"]);
      const child = runValar(["builds", "watch", "b1", ...(abort ? ["--abort-on-interrupt"] : [])], { env: s.env() });
      let err = "";
      child.stderr.on("data", (d: Buffer) => {
        if (!err) child.kill("SIGINT");
        err += d.toString();
      });
      const r = await child;
      expect(r.exitCode).toBe(130);
      const posts = s.server.requests.filter((q) => q.method === "POST").map((q) => q.path);
      if (abort) {
        expect(posts).toEqual([s.abortPath]);
        expect(r.stderr).toContain(`build ${BUILD_ID} was aborted`);
      } else {
        expect(posts).toEqual([]);
        expect(r.stderr).toContain(`hint: to abort it: valar builds abort ${BUILD_ID}`);
      }
      await s.close();
      srv = undefined;
    }
  });
});
