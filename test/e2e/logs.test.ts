import { afterEach, describe, expect, it } from "vitest";
import { setTimeout as delay } from "node:timers/promises";
import { runValar } from "../helpers/cli.js";
import { BUILD_ID, jsonLine, startWaitServer, type WaitServer } from "../fixtures/wait-server.js";

let srv: WaitServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

const wrapper = (stage: string, content: string) => JSON.stringify({ timestamp: "2026-01-02T03:04:05Z", source: "WRAPPER", stage, content });

/** What the CLI prints for jsonLine(i) with TZ=UTC. */
const shown = (i: number) => `03:04:05Z line ${i}`;

describe("builds logs", () => {
  it("renders JSON lines and prints plain lines as they are", async () => {
    srv = await startWaitServer("done");
    const log = [wrapper("SETUP", "pulling image"), jsonLine(1, "compiling"), "plain old text", '{"not":"a log entry"}', wrapper("TURNDOWN", "bye")];
    srv.server.on(`GET ${srv.logsPath}`, (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(log.join("\n") + "\n");
    });
    const r = await runValar(["builds", "logs", "b1c2"], { env: srv.env() });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split("\n")).toEqual([
      "03:04:05Z [setup] pulling image",
      "03:04:05Z compiling",
      "plain old text",
      '{"not":"a log entry"}',
      "03:04:05Z [turndown] bye",
    ]);
    expect(r.stdout).not.toContain("\u001B[");
    expect(srv.server.requests.find((q) => q.path === srv!.logsPath)?.url).not.toContain("follow");
  });

  it("--raw prints only the content; the last line needs no newline", async () => {
    srv = await startWaitServer("done");
    srv.server.on(`GET ${srv.logsPath}`, (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end([wrapper("SETUP", "pulling image"), jsonLine(1, "compiling"), "plain"].join("\n"));
    });
    const r = await runValar(["builds", "logs", "--raw"], { env: srv.env() });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("pulling image\ncompiling\nplain");
  });

  it("exits 5 saying the logs have expired on 204", async () => {
    srv = await startWaitServer("expired");
    srv.server.on(`GET ${srv.logsPath}`, (_req, res) => {
      res.writeHead(204);
      res.end();
    });
    for (const args of [
      ["builds", "logs", "b1"],
      ["builds", "logs", "-f", "b1"],
    ]) {
      const r = await runValar(args, { env: srv.env() });
      expect(r.exitCode).toBe(5);
      expect(r.stderr).toMatch(/^error: the logs of build b1c2d3e4\S* have expired$/m);
      expect(r.stdout).toBe("");
    }
  });

  it("-f survives drops and early closes: every line exactly once, in order", async () => {
    srv = await startWaitServer("running");
    const s = srv;
    const total = 60;
    const lines = Array.from({ length: total }, (_, i) => (i === 30 ? "plain héllo ✓ line" : jsonLine(i)));
    const expected = lines.map((l, i) => (i === 30 ? l : shown(i)));
    s.server.on(`GET ${s.logsPath}`, async (_req, res, _body, n) => {
      res.writeHead(200, { "content-type": "text/plain" });
      const cut = [12, 25, 41][n - 1];
      if (cut !== undefined) {
        // Complete lines, then half of the next one.
        res.write(lines.slice(0, cut).join("\n") + "\n" + lines[cut]!.slice(0, 9));
        await delay(30);
        // The third connection ends cleanly although the build runs: the server closed early.
        if (n === 3) res.end();
        else res.destroy();
        return;
      }
      // A UTF-8 character split across two chunks must come out whole.
      const text = Buffer.from(lines.join("\n") + "\n");
      const mid = text.indexOf(Buffer.from("✓")) + 1;
      res.write(text.subarray(0, mid));
      await delay(30);
      s.build.status = "done";
      res.end(text.subarray(mid));
    });
    const r = await runValar(["builds", "logs", "-f", "b1c2"], { env: s.env() });
    expect(r.stderr).toContain("reconnecting…");
    expect(r.stdout.split("\n")).toEqual(expected);
    expect(r.exitCode).toBe(0);
    expect(r.stderr.match(/reconnecting…/g)!.length).toBe(3);
    expect(r.stderr).toContain(`ok build ${BUILD_ID.slice(0, 8)} done in `);
    const logRequests = s.server.requests.filter((q) => q.path === s.logsPath);
    expect(logRequests).toHaveLength(4);
    expect(logRequests.every((q) => q.url.endsWith("?follow=true"))).toBe(true);
  });

  /**
   * Serves a two-line log, holding the response open after the first line until the CLI has
   * printed it; `beforeEnd` runs just before the second line ends the response. Says whether
   * the response was still open when the first line reached the CLI's stdout.
   */
  async function runWithHeldLog(s: WaitServer, args: string[], beforeEnd: () => void = () => {}) {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let open = false;
    s.server.on(`GET ${s.logsPath}`, async (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      open = true;
      res.write(jsonLine(1) + "\n");
      await released;
      beforeEnd();
      res.end(jsonLine(2) + "\n");
      open = false;
    });
    const child = runValar(args, { env: s.env() });
    let seen = "";
    let openWhenSeen: boolean | undefined;
    child.stdout.on("data", (d: Buffer) => {
      seen += d.toString();
      if (openWhenSeen === undefined && seen.includes(shown(1) + "\n")) {
        openWhenSeen = open;
        release();
      }
    });
    // Should the first line never arrive, let the log end so the test fails on assertions, not on a hang.
    const fallback = setTimeout(release, 10_000);
    const result = await child;
    clearTimeout(fallback);
    return { result, openWhenSeen };
  }

  it("-f shows each line as it arrives, while the server still holds the response open", async () => {
    srv = await startWaitServer("running");
    const s = srv;
    const { result: r, openWhenSeen } = await runWithHeldLog(s, ["builds", "logs", "-f", "b1"], () => {
      s.build.status = "failed";
      s.build.error = "exit status 2";
    });
    expect(openWhenSeen).toBe(true);
    expect(r.stdout).toBe(`${shown(1)}\n${shown(2)}`);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^FAILED build ${BUILD_ID.slice(0, 8)} failed after (\\d+[hms] )?\\d+(\\.\\d)?[hms]: exit status 2$`, "m"));
  });

  it("without -f, also prints each line as it arrives (no buffering until the end)", async () => {
    srv = await startWaitServer("done");
    const { result: r, openWhenSeen } = await runWithHeldLog(srv, ["builds", "logs", "b1"]);
    expect(openWhenSeen).toBe(true);
    expect(r.stdout).toBe(`${shown(1)}\n${shown(2)}`);
    expect(r.exitCode).toBe(0);
  });

  it("-f - reads the build ID from stdin (submit | logs -f - chains)", async () => {
    srv = await startWaitServer("running");
    const s = srv;
    s.server.on(`GET ${s.logsPath}`, (_req, res) => {
      s.build.status = "done";
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(jsonLine(1) + "\n");
    });
    const r = await runValar(["builds", "logs", "-f", "-"], { env: s.env(), stdin: "pipe", input: `${BUILD_ID}\n` });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(shown(1));
    expect(s.server.requests[0]!.path).toBe(`/projects/p/services/s/builds/${BUILD_ID}`);
  });

  it("-f on a build that has ended prints the log and exits with its outcome", async () => {
    srv = await startWaitServer("failed");
    srv.server.on(`GET ${srv.logsPath}`, (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(jsonLine(1) + "\n");
    });
    const r = await runValar(["builds", "logs", "-f"], { env: srv.env() });
    expect(r.stdout).toBe(shown(1));
    expect(r.exitCode).toBe(3);
  });

  it("-f --timeout exits 124 and says the build goes on", async () => {
    srv = await startWaitServer("running");
    const s = srv;
    s.server.on(`GET ${s.logsPath}`, (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write(jsonLine(1) + "\n"); // and never ends
    });
    const r = await runValar(["builds", "logs", "-f", "b1", "--timeout", "400ms"], { env: s.env() });
    expect(r.exitCode).toBe(124);
    expect(r.stdout).toBe(shown(1));
    expect(r.stderr).toMatch(/^stopped waiting after 400ms; build \S+ goes on$/m);
    expect(s.server.requests.some((q) => q.method === "POST")).toBe(false);
  });

  it("ends quietly with 0 when the reader of stdout goes away (| head)", async () => {
    srv = await startWaitServer("running");
    const s = srv;
    s.server.on(`GET ${s.logsPath}`, async (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      for (let i = 0; i < 2000 && !res.destroyed; i++) {
        res.write(jsonLine(i) + "\n");
        await delay(2);
      }
      res.end();
    });
    const child = runValar(["builds", "logs", "-f", "b1"], { env: s.env() });
    child.stdout.once("data", () => child.stdout.destroy());
    const r = await child;
    expect(r.stderr).not.toMatch(/EPIPE|error/);
    expect(r.exitCode).toBe(0);
  });

  it("rejects a malformed --timeout before sending anything", async () => {
    srv = await startWaitServer("running");
    const r = await runValar(["builds", "logs", "-f", "b1", "--timeout", "soon"], { env: srv.env() });
    expect(r.exitCode).toBe(2);
    expect(srv.server.requests).toHaveLength(0);
  });
});

describe("Ctrl-C while following", () => {
  async function interruptAfterFirstLine(args: string[]) {
    srv = await startWaitServer("running");
    const s = srv;
    s.server.on(`GET ${s.logsPath}`, (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write(jsonLine(1) + "\n");
    });
    const child = runValar(["builds", "logs", "-f", "b1", ...args], { env: s.env() });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) child.kill("SIGINT");
    });
    return { r: await child, s };
  }

  it("exits 130 with a hint how to abort; nothing is aborted", async () => {
    const { r, s } = await interruptAfterFirstLine([]);
    expect(r.exitCode).toBe(130);
    expect(r.stderr).toMatch(/^stopped waiting; build \S+ goes on$/m);
    expect(r.stderr).toContain(`hint: to abort it: valar builds abort ${BUILD_ID}`);
    expect(s.server.requests.some((q) => q.method === "POST")).toBe(false);
    expect(r.stderr).not.toContain("\u001B[?25l");
  });

  it("with --abort-on-interrupt aborts the build first and says so", async () => {
    const { r, s } = await interruptAfterFirstLine(["--abort-on-interrupt"]);
    expect(r.exitCode).toBe(130);
    expect(s.server.requests.filter((q) => q.method === "POST").map((q) => q.path)).toEqual([s.abortPath]);
    expect(r.stderr).toContain(`build ${BUILD_ID} was aborted`);
  });
});
