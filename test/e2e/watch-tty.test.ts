import { existsSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { BIN } from "../helpers/cli.js";
import { jsonLine, startWaitServer, type WaitServer } from "../fixtures/wait-server.js";

// util-linux `script` gives the CLI a real pseudo-terminal; without it there is nothing to test.
const SCRIPT = ["/usr/bin/script", "/bin/script"].find((p) => existsSync(p));

let srv: WaitServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

/** Runs the CLI on an 80-column pseudo-terminal; resolves with everything it drew. */
function onTerminal(args: string[], env: Record<string, string | undefined>) {
  const command = `stty cols 80 rows 30; exec node ${BIN} ${args.join(" ")}`;
  // stdin is the terminal's keyboard: writing \x03 there is pressing Ctrl-C.
  return execa(SCRIPT!, ["-qfec", command, "/dev/null"], { env, extendEnv: false, reject: false, stdin: "pipe", timeout: 20_000 });
}

describe.skipIf(!SCRIPT)("builds watch on a terminal", () => {
  it("redraws status and the latest log lines in place, and leaves the terminal clean", async () => {
    srv = await startWaitServer("running");
    const s = srv;
    s.server.on(`GET ${s.logsPath}`, async (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      for (let i = 1; i <= 1000 && !res.destroyed; i++) {
        // A build's own escape codes and carriage returns must not reach the live area.
        res.write(jsonLine(i, `step ${i}\u001B[31m red\r`) + "\n");
        await delay(20);
      }
    });
    const r = await onTerminal(["builds", "watch", "b1", "--timeout", "1500ms"], s.env({ TERM: "xterm" }));
    const out = r.stdout;
    expect(r.exitCode).toBe(124);
    expect(out).toMatch(/build b1c2d3e4\S*: \S*running\S* \(1m \d\ds\)/);
    expect(out).toMatch(/\n {2}step \d+ red/);
    expect(out).not.toContain("\u001B[31m red");
    // The cursor was hidden while drawing and is visible again at the end…
    expect(out).toContain("\u001B[?25l");
    expect(out.lastIndexOf("\u001B[?25h")).toBeGreaterThan(out.lastIndexOf("\u001B[?25l"));
    // …and nothing is drawn after the final message.
    const tail = out.slice(out.indexOf("stopped waiting after 1500ms"));
    expect(tail).not.toMatch(/step \d+/);
  });

  it("Ctrl-C on the terminal stops the live area, shows the cursor and hints how to abort", async () => {
    srv = await startWaitServer("running");
    const s = srv;
    s.server.on(`GET ${s.logsPath}`, (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write(jsonLine(1, "compiling") + "\n");
    });
    const child = onTerminal(["builds", "watch", "b1"], s.env({ TERM: "xterm" }));
    let seen = "";
    child.stdout.on("data", (d: Buffer) => {
      const before = seen;
      seen += d.toString();
      if (!before.includes("compiling") && seen.includes("compiling")) child.stdin.write("\u0003");
    });
    const r = await child;
    expect(r.exitCode).toBe(130);
    const out = r.stdout;
    const text = out.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, "");
    expect(text).toContain("stopped waiting; build b1c2d3e4-0000-4000-8000-000000000001 goes on");
    expect(text).toContain("hint: to abort it: valar builds abort b1c2d3e4-0000-4000-8000-000000000001");
    expect(out.lastIndexOf("\u001B[?25h")).toBeGreaterThan(out.lastIndexOf("\u001B[?25l"));
    expect(out.slice(out.indexOf("stopped waiting"))).not.toContain("compiling");
    expect(s.server.requests.some((q) => q.method === "POST")).toBe(false);
  });
});
