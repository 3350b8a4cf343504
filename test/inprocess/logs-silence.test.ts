import { afterEach, describe, expect, it } from "vitest";
import type { IncomingMessage, ServerResponse } from "node:http";
import { valar } from "../helpers/run-in-process.js";
import { apiEnv } from "../helpers/builds-fixtures.js";
import { fakeClock } from "../helpers/fake-clock.js";
import { BUILD_ID, startWaitServer, type WaitServer } from "../fixtures/wait-server.js";

// The silence rule of `logs -f`: a followed stream that brings no complete line for 15 s
// makes the CLI read the build's status. The fake clock runs those 15 s at once, so the
// status check races the stream as hard as it can.

const SHORT = BUILD_ID.slice(0, 8);
const entry = (s: number, content: string) =>
  JSON.stringify({ timestamp: new Date(Date.parse("2026-03-01T10:00:00Z") + s * 1000).toISOString(), source: "PROCESS", stage: "", content });
const LOG = [entry(2, "compiling"), "plain text from a tool", entry(4, "linking")];

let srv: WaitServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

async function logServer(route: (req: IncomingMessage, res: ServerResponse) => void): Promise<WaitServer> {
  const s = await startWaitServer("running");
  s.server.on(`GET ${s.logsPath}`, (req, res) => route(req, res));
  return s;
}

const follows = (req: IncomingMessage) => req.url!.includes("follow=true");

describe("builds logs -f: a silent stream", () => {
  it("goes silent after the build ended: the rest is read once, without follow", async () => {
    const clock = fakeClock(Date.now());
    srv = await logServer((req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      if (follows(req)) {
        res.write(LOG[0] + "\n");
        srv!.build.status = "done";
        return; // stalls: never another byte, never the end
      }
      res.end(LOG.join("\n") + "\n");
    });
    const r = await valar(["builds", "logs", SHORT, "-f", "--raw"], { env: apiEnv(srv.server, { TZ: "UTC" }), clock });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("compiling\nplain text from a tool\nlinking");
    expect(r.stderr).toMatch(new RegExp(`^ok build ${SHORT} done in `));
    expect(clock.sleeps).toContain(15_000);
  });

  it("trickles spaces after the build ended and still ends: silence counts lines, not bytes", async () => {
    const timers: NodeJS.Timeout[] = [];
    srv = await logServer((req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      if (follows(req)) {
        res.write(LOG[0] + "\n");
        srv!.build.status = "done";
        timers.push(setInterval(() => res.write(" "), 5));
        return;
      }
      res.end(LOG.join("\n") + "\n");
    });
    try {
      const r = await valar(["builds", "logs", SHORT, "-f", "--raw"], { env: apiEnv(srv.server, { TZ: "UTC" }) });
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toBe("compiling\nplain text from a tool\nlinking");
    } finally {
      for (const t of timers) clearInterval(t);
    }
  });
});
