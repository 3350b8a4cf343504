import { afterEach, describe, expect, it } from "vitest";
import { valar } from "../helpers/run-in-process.js";
import { runValar } from "../helpers/cli.js";
import { json } from "../helpers/fault-server.js";
import { BUILDS_PATH } from "../helpers/builds-fixtures.js";
import { BUILD_ID, jsonLine, startWaitServer, type WaitServer } from "../fixtures/wait-server.js";

// The end of a waiting command: one summary line on stderr (the contract's "Waiting commands").

const DEPLOYS = BUILDS_PATH.replace(/\/builds$/, "/deploys");
const SHORT = BUILD_ID.slice(0, 8);
const DURATION = "1m 0\\ds";

let srv: WaitServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

/** A build that runs, logs one line and is done; a submission announces deployment v7. */
async function doneServer(): Promise<WaitServer> {
  const s = await startWaitServer("running");
  s.server.on(`POST ${BUILDS_PATH}`, (_req, res) => {
    s.build.status = "done";
    json(res, 200, { id: BUILD_ID, status: "pending", createdAt: s.build.createdAt, deployment: "v7" });
  });
  s.server.on(`GET ${s.logsPath}`, (_req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    s.build.status = "done";
    res.end(jsonLine(1) + "\n");
  });
  return s;
}

describe("the summary line", () => {
  it("submit -w: outcome, short ID, duration since createdAt and the announced deployment, live", async () => {
    srv = await doneServer();
    const s = srv;
    s.server.on(`GET ${DEPLOYS}`, (_req, res) =>
      json(res, 200, [{ version: 7, status: "done", build: BUILD_ID, error: "", createdAt: s.build.createdAt }]),
    );
    const r = await runValar(["builds", "submit", "--artifact", "a", "-c", "shell", "-w"], { env: srv.env() });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(BUILD_ID);
    expect(r.stderr).toMatch(new RegExp(`^ok build ${SHORT} done in ${DURATION} - deployment v7 live$`, "m"));
  });

  it("submit --no-deploy -f names no deployment", async () => {
    srv = await doneServer();
    const r = await runValar(["builds", "submit", "--artifact", "a", "-c", "shell", "--no-deploy", "-f"], { env: srv.env() });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^ok build ${SHORT} done in ${DURATION}$`));
  });

  it("logs -f does not wait for a deployment, nor name one", async () => {
    srv = await doneServer();
    const s = srv;
    s.server.on(`GET ${DEPLOYS}`, (_req, res) =>
      json(res, 200, [
        { version: 4, status: "done", build: BUILD_ID, error: "", createdAt: s.build.createdAt },
        { version: 3, status: "done", build: "ffffffff-0000-4000-8000-000000000000", error: "", createdAt: s.build.createdAt },
      ]),
    );
    const r = await runValar(["builds", "logs", "-f", SHORT], { env: s.env() });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`ok build ${SHORT} done in ${DURATION}$`));
    expect(s.server.requests.some((q) => q.path === DEPLOYS)).toBe(false);
  });

  it("watch goes without the deployment when the API cannot say, after its retries", async () => {
    srv = await doneServer();
    const s = srv;
    s.server.on(`GET ${DEPLOYS}`, (_req, res) => json(res, 503, { error: "internal error" }));
    s.build.status = "done";
    // In process: the fake clock runs the retries of the 503s without waiting.
    const r = await valar(["builds", "watch", SHORT], { env: s.env() });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`ok build ${SHORT} done( in \\S+)?$`));
  });

  it("a failure: its error on the line, then a hint naming the command that shows its log", async () => {
    srv = await startWaitServer("failed");
    srv.build.error = "go build exited with status 2";
    const r = await runValar(["builds", "watch", SHORT], { env: srv.env() });
    expect(r.exitCode).toBe(3);
    // It had ended before the command started: its duration ends at its log's last entry.
    expect(r.stderr.split("\n").slice(-2)).toEqual([
      expect.stringMatching(new RegExp(`^FAILED build ${SHORT} failed( after \\S+)?: go build exited with status 2$`)),
      `hint: the whole log: valar builds logs ${BUILD_ID}`,
    ]);
    // A failed build is never deployed: nothing to look up.
    expect(srv.server.requests.some((q) => q.path === DEPLOYS)).toBe(false);
  });
});
