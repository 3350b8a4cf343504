import { afterEach, describe, expect, it } from "vitest";
import { runValar } from "../../helpers/cli.js";
import { jsonLine, startWaitServer, type WaitServer } from "../../fixtures/wait-server.js";

let srv: WaitServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

/** `builds logs b1` of a build in that status, whose log is one line. */
async function logsOf(status: string) {
  srv = await startWaitServer(status);
  srv.server.on(`GET ${srv.logsPath}`, (_req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(jsonLine(1) + "\n");
  });
  return runValar(["builds", "logs", "b1"], { env: srv.env() });
}

describe("builds logs of an unfinished build", () => {
  it.each(["running", "pending"])("a %s build's log ends with a note on stderr that it is partial", async (status) => {
    const r = await logsOf(status);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("03:04:05Z line 1");
    expect(r.stderr).toBe("build is still running; -f follows it");
  });

  it("a finished build's log has no such note", async () => {
    const r = await logsOf("done");
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe("");
  });
});
