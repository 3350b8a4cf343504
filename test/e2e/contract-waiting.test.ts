import { afterEach, describe, expect, it } from "vitest";
import { runValar } from "../helpers/cli.js";
import { json } from "../helpers/fault-server.js";
import { BUILDS_PATH, PROJECT, SERVICE } from "../helpers/builds-fixtures.js";
import { BUILD_ID, startWaitServer, type WaitServer } from "../fixtures/wait-server.js";

// The contract's "Waiting commands" section for `submit -f/-w`: watch and logs -f have
// their own tests (watch.test.ts, logs.test.ts); submit waits through the same promises.

const ARTIFACTS = `/projects/${PROJECT}/services/${SERVICE}/artifacts`;

let srv: WaitServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

/** A server where a submitted build stays `running` (its log open and silent) until aborted. */
async function submitServer(): Promise<WaitServer> {
  const s = await startWaitServer("pending");
  s.server.on(`POST ${ARTIFACTS}`, (_req, res) => json(res, 200, { artifact: "art-1" }));
  s.server.on(`POST ${BUILDS_PATH}`, (_req, res) => {
    s.build.status = "running";
    json(res, 200, { id: BUILD_ID, status: "pending", createdAt: s.build.createdAt, deployment: "v2" });
  });
  s.server.on(`GET ${BUILDS_PATH}/${BUILD_ID}/logs`, (_req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    // Held open: the build goes on.
  });
  return s;
}

const SUBMIT = ["builds", "submit", "--artifact", "art-1", "-c", "shell"];
const posts = (s: WaitServer) => s.server.requests.filter((q) => q.method === "POST").map((q) => q.path);

describe.each([["-w"], ["-f"]])("submit %s", (mode) => {
  it("--timeout exits 124 after printing the build ID; the build goes on", async () => {
    srv = await submitServer();
    const r = await runValar([...SUBMIT, mode, "--timeout", "300ms"], { env: srv.env() });
    expect(r.exitCode).toBe(124);
    expect(r.stdout).toBe(BUILD_ID);
    expect(r.stderr).toMatch(new RegExp(`^stopped waiting after 300ms; build ${BUILD_ID} goes on$`, "m"));
    expect(r.stderr).toContain(`hint: keep waiting with \`valar builds watch ${BUILD_ID}\``);
    expect(posts(srv)).toEqual([`${BUILDS_PATH}`]);
  });

  for (const abort of [false, true]) {
    it(`Ctrl-C exits 130${abort ? "; --abort-on-interrupt aborts the build first" : " with how to abort; nothing is aborted"}`, async () => {
      srv = await submitServer();
      const s = srv;
      const child = runValar([...SUBMIT, mode, ...(abort ? ["--abort-on-interrupt"] : [])], { env: s.env(), buffer: true });
      // Interrupt once the build ID is out and the CLI is waiting (it has read the status or log).
      let out = "";
      const onData = (d: Buffer) => {
        out += d.toString();
        if (!out.includes("\n")) return;
        child.stdout.off("data", onData);
        // Before or after the wait has begun, Ctrl-C must end it the same way.
        setTimeout(() => child.kill("SIGINT"), 100);
      };
      child.stdout.on("data", onData);
      const r = await child;
      expect(r.exitCode).toBe(130);
      expect(r.stdout).toBe(BUILD_ID);
      if (abort) {
        expect(posts(s)).toEqual([BUILDS_PATH, s.abortPath]);
        expect(r.stderr).toContain(`build ${BUILD_ID} was aborted`);
      } else {
        expect(posts(s)).toEqual([BUILDS_PATH]);
        expect(r.stderr).toContain(`hint: to abort it: valar builds abort ${BUILD_ID}`);
      }
    });
  }

  it("exits with the build's outcome: 3 for a failed build", async () => {
    srv = await startWaitServer("pending");
    const s = srv;
    s.server.on(`POST ${BUILDS_PATH}`, (_req, res) => {
      s.build.status = "failed";
      s.build.error = "exit status 1";
      json(res, 200, { id: BUILD_ID, status: "pending", createdAt: s.build.createdAt, deployment: "v2" });
    });
    s.server.on(`GET ${BUILDS_PATH}/${BUILD_ID}/logs`, (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("");
    });
    const r = await runValar([...SUBMIT, mode], { env: s.env() });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe(BUILD_ID);
    // After -f streamed the log, no hint to read it again.
    const hint = mode === "-f" ? [] : [`hint: the whole log: valar builds logs ${BUILD_ID}`];
    expect(r.stderr.split("\n").slice(mode === "-f" ? -1 : -2)).toEqual([
      expect.stringMatching(new RegExp(`^FAILED build ${BUILD_ID.slice(0, 8)} failed after (\\d+[hms] )?\\d+(\\.\\d)?[hms]: exit status 1$`)),
      ...hint,
    ]);
  });
});
