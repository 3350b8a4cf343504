import { afterEach, describe, expect, it } from "vitest";
import { runValar } from "../../helpers/cli.js";
import { stall, waitForRequests } from "../../helpers/fault-server.js";
import { PROJECT, SERVICE } from "../../helpers/builds-fixtures.js";
import { makeTree } from "../../helpers/tree.js";
import { BUILD_ID, startWaitServer, type WaitServer } from "../../fixtures/wait-server.js";

const ARTIFACTS = `/projects/${PROJECT}/services/${SERVICE}/artifacts`;

let srv: WaitServer | undefined;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await srv?.close();
  srv = undefined;
  for (const c of cleanups.splice(0)) c();
});

const posts = (s: WaitServer) => s.server.requests.filter((q) => q.method === "POST").map((q) => q.path);

/** A build that stays running, its log open and silent. */
async function runningBuild(): Promise<WaitServer> {
  const s = await startWaitServer("running");
  s.server.on(`GET ${s.logsPath}`, (_req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
  });
  return s;
}

describe("SIGTERM (a cancelled CI job)", () => {
  for (const args of [
    ["builds", "watch", "b1"],
    ["builds", "logs", "-f", "b1"],
  ]) {
    it(`${args.join(" ")}: exits 143 with Ctrl-C's clean-up and hint; nothing is aborted`, async () => {
      const s = (srv = await runningBuild());
      const child = runValar(args, { env: s.env() });
      // Once it is waiting: it has resolved the prefix and read the status or opened the log.
      await waitForRequests(s.server, 2);
      child.kill("SIGTERM");
      const r = await child;
      expect(r.exitCode).toBe(143);
      expect(r.stderr).toMatch(new RegExp(`^stopped waiting; build ${BUILD_ID} goes on$`, "m"));
      expect(r.stderr).toContain(`hint: to abort it: valar builds abort ${BUILD_ID}`);
      expect(posts(s)).toEqual([]);
    });
  }

  it("--abort-on-interrupt aborts the build on SIGTERM too", async () => {
    const s = (srv = await runningBuild());
    const child = runValar(["builds", "watch", "b1", "--abort-on-interrupt"], { env: s.env() });
    await waitForRequests(s.server, 2);
    child.kill("SIGTERM");
    const r = await child;
    expect(r.exitCode).toBe(143);
    expect(r.stderr).toContain(`build ${BUILD_ID} was aborted`);
    expect(posts(s)).toEqual([s.abortPath]);
  });
});

describe("interrupted while packing or uploading", () => {
  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("%s during the upload says nothing was submitted (exit %i)", async (signal, code) => {
    const s = (srv = await startWaitServer("pending"));
    s.server.on(`POST ${ARTIFACTS}`, stall);
    const tree = makeTree({ "build.sh": "true\n" });
    cleanups.push(tree.cleanup);
    const child = runValar(["builds", "submit", tree.dir, "-c", "shell"], { env: s.env() });
    await waitForRequests(s.server, 1);
    child.kill(signal);
    const r = await child;
    expect(r.exitCode).toBe(code);
    expect(r.stderr).toMatch(/^interrupted; nothing was submitted$/m);
    expect(posts(s)).toEqual([ARTIFACTS]);
  });
});
