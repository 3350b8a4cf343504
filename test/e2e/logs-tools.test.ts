import { afterEach, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import { runValar, tempDir } from "../helpers/cli.js";
import { BUILD_ID, startWaitServer, type WaitServer } from "../fixtures/wait-server.js";

// `builds logs --tail/--since/--source/--json` and CI-native output (the silence rule is
// tested in process, on the fake clock: test/inprocess/logs-silence.test.ts).

const SHORT = BUILD_ID.slice(0, 8);
const at = (s: number) => new Date(Date.parse("2026-03-01T10:00:00Z") + s * 1000).toISOString();
const entry = (s: number, content: string, source = "PROCESS", stage = "") => JSON.stringify({ timestamp: at(s), source, stage, content });

/** A log with the platform's setup and turndown around the build's own output. */
const LOG = [
  entry(0, "pulling image", "WRAPPER", "SETUP"),
  entry(1, "unpacking", "WRAPPER", "SETUP"),
  entry(2, "compiling"),
  "plain text from a tool",
  entry(4, "linking"),
  entry(5, "done: out/app"),
  entry(6, "workspace removed", "WRAPPER", "TURNDOWN"),
];

let srv: WaitServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

type Route = (req: IncomingMessage, res: ServerResponse, n: number) => void;

async function logServer(status: string, route: Route | string[]): Promise<WaitServer> {
  const s = await startWaitServer(status);
  s.server.on(`GET ${s.logsPath}`, (req, res, _body, n) => {
    if (typeof route === "function") return route(req, res, n);
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(route.join("\n") + "\n");
  });
  return s;
}

const logs = (s: WaitServer, args: string[], env: Record<string, string | undefined> = {}) =>
  runValar(["builds", "logs", SHORT, ...args], { env: s.env(env) });

describe("builds logs: choosing entries", () => {
  it("--tail N prints the last N entries; --tail 0 none", async () => {
    srv = await logServer("done", LOG);
    const r = await logs(srv, ["--tail", "2", "--raw"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("done: out/app\nworkspace removed");
    expect((await logs(srv, ["--tail", "0"])).stdout).toBe("");
  });

  it("--source process leaves out the platform's lines; --source wrapper keeps only them", async () => {
    srv = await logServer("done", LOG);
    expect((await logs(srv, ["--source", "process", "--raw"])).stdout).toBe("compiling\nplain text from a tool\nlinking\ndone: out/app");
    expect((await logs(srv, ["--source", "wrapper", "--raw"])).stdout).toBe("pulling image\nunpacking\nworkspace removed");
  });

  it("--since takes a timestamp or a duration back from now; a plain line goes with the entry before it", async () => {
    srv = await logServer("done", LOG);
    expect((await logs(srv, ["--since", at(2), "--raw"])).stdout).toBe(
      "compiling\nplain text from a tool\nlinking\ndone: out/app\nworkspace removed",
    );
    expect((await logs(srv, ["--since", "1m", "--raw"])).stdout).toBe("");
    const now = Date.now();
    const recent = [
      JSON.stringify({ timestamp: new Date(now - 3_600_000).toISOString(), source: "PROCESS", stage: "", content: "an hour ago" }),
      JSON.stringify({ timestamp: new Date(now - 5_000).toISOString(), source: "PROCESS", stage: "", content: "just now" }),
    ];
    await srv.close();
    srv = await logServer("done", recent);
    expect((await logs(srv, ["--since", "10m", "--raw"])).stdout).toBe("just now");
  });

  it("--json prints one normalised entry per line; a plain-text line has only its content", async () => {
    srv = await logServer("done", [...LOG.slice(2, 4), '{"timestamp":"2026-03-01T10:00:09Z","source":"PROCESS","stage":"","content":"x","extra":1}']);
    const r = await logs(srv, ["--json"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split("\n").map((l) => JSON.parse(l))).toEqual([
      { timestamp: at(2), source: "PROCESS", stage: "", content: "compiling" },
      { content: "plain text from a tool" },
      { timestamp: "2026-03-01T10:00:09Z", source: "PROCESS", stage: "", content: "x" },
    ]);
  });

  it("the options combine", async () => {
    srv = await logServer("done", LOG);
    const r = await logs(srv, ["--json", "--tail", "1", "--source", "process", "--since", at(1)]);
    expect(r.stdout.split("\n").map((l) => JSON.parse(l))).toEqual([{ timestamp: at(5), source: "PROCESS", stage: "", content: "done: out/app" }]);
  });

  it("bad values are usage errors, and nothing is read", async () => {
    srv = await logServer("done", LOG);
    for (const args of [
      ["--tail", "x"],
      ["--since", "yesterday"],
      ["--source", "stdout"],
      ["--raw", "--json"],
    ]) {
      const r = await logs(srv, args);
      expect(r.exitCode, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/^error: /);
    }
    expect(srv.server.requests.filter((q) => q.path === srv!.logsPath)).toEqual([]);
  });

  it("a log read while the build runs says it is partial and how to follow it", async () => {
    srv = await logServer("running", LOG.slice(0, 3));
    const r = await logs(srv, ["--raw"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("pulling image\nunpacking\ncompiling");
    expect(r.stderr).toBe("build is still running; -f follows it");
  });
});

describe("build output into a pipe", () => {
  const HOSTILE = "title\u001b]0;PWNED\u0007 clear\u001b[2J clip\u001b]52;c;aGVsbG8=\u0007 \u001b[31mred\u001b[0m secret\rFAKE OK";
  const lines = [entry(1, HOSTILE), "plain \u001b[32mgreen\u001b[0m\u0007", entry(2, "caf\u00e9 \u009b1m")];

  it("rendered: no escape code or control character at all", async () => {
    srv = await logServer("done", lines);
    const r = await logs(srv, []);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("10:00:01Z FAKE OK\nplain green\n10:00:02Z caf\u00e9 1m");
  });

  it("--raw: the content byte for byte", async () => {
    srv = await logServer("done", lines);
    const r = await runValar(["builds", "logs", SHORT, "--raw"], { env: srv.env(), encoding: "buffer" });
    expect(r.exitCode).toBe(0);
    expect(Buffer.from(r.stdout as unknown as Uint8Array).toString("utf8")).toBe([HOSTILE, lines[1], "caf\u00e9 \u009b1m"].join("\n"));
  });
});

describe("builds logs -f with the log tools", () => {
  it("--tail with -f: the last N so far, then every new line once, across a dropped connection", async () => {
    let follows = 0;
    srv = await logServer("running", (req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      if (!req.url!.includes("follow=true")) return void res.end(LOG.slice(0, 5).join("\n") + "\n");
      follows++;
      if (follows === 1) {
        // The log so far and one new line, then the connection drops.
        res.write(LOG.slice(0, 6).join("\n") + "\n");
        setTimeout(() => res.destroy(), 50);
        return;
      }
      srv!.build.status = "done";
      res.end(LOG.join("\n") + "\n");
    });
    const r = await logs(srv, ["-f", "--tail", "2", "--raw"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("plain text from a tool\nlinking\ndone: out/app\nworkspace removed");
    expect(follows).toBe(2);
  });
});

describe("CI-native output", () => {
  it("GitHub Actions: setup and turndown fold into groups; build output cannot issue workflow commands", async () => {
    srv = await logServer("done", [...LOG.slice(0, 3), "::error::injected by the build", ...LOG.slice(4)]);
    const r = await logs(srv, [], { GITHUB_ACTIONS: "true" });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split("\n")).toEqual([
      "::group::Valar: setting up the build",
      "10:00:00Z [setup] pulling image",
      "10:00:01Z [setup] unpacking",
      "::endgroup::",
      "10:00:02Z compiling",
      " ::error::injected by the build",
      "10:00:04Z linking",
      "10:00:05Z done: out/app",
      "::group::Valar: turning down the build",
      "10:00:06Z [turndown] workspace removed",
      "::endgroup::",
    ]);
  });

  it("GitHub Actions: --raw and --json are never decorated", async () => {
    srv = await logServer("done", LOG);
    const raw = await logs(srv, ["--raw"], { GITHUB_ACTIONS: "true" });
    expect(raw.stdout).not.toContain("::");
    const json = await logs(srv, ["--json"], { GITHUB_ACTIONS: "true" });
    expect(json.stdout).not.toContain("::group");
  });

  it("GitHub Actions: a failed build is an ::error annotation and a job summary entry", async () => {
    const dir = tempDir();
    const summary = join(dir, "summary.md");
    writeFileSync(summary, "earlier step\n");
    srv = await startWaitServer("failed");
    srv.build.error = "go build: exit 2";
    const r = await runValar(["builds", "watch", SHORT], { env: srv.env({ GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary }) });
    expect(r.exitCode).toBe(3);
    expect(r.stderr.split("\n")).toContainEqual(
      expect.stringMatching(new RegExp(`^::error title=Valar build failed::build ${SHORT} failed( after \\S+)?: go build: exit 2(%0A.*)?$`)),
    );
    const md = readFileSync(summary, "utf8");
    expect(md.startsWith("earlier step\n")).toBe(true);
    expect(md).toContain(`### ❌ Valar build \`${SHORT}\` failed`);
    expect(md).toContain("| build | status | duration | deployment |");
    expect(md).toMatch(new RegExp(`\\| \`${BUILD_ID}\` \\| failed \\| [^|]+ \\| - \\|`));
    expect(md).toContain("> go build: exit 2");
  });

  it("GitLab CI: the same sections with GitLab's markers", async () => {
    srv = await logServer("done", LOG);
    const r = await logs(srv, [], { GITLAB_CI: "true" });
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^section_start:\d+:valar_setup\[collapsed=true\]\r\u001b\[0KValar: setting up the build$/);
    expect(lines[3]).toMatch(/^section_end:\d+:valar_setup\r\u001b\[0K$/);
    expect(lines[4]).toBe("10:00:02Z compiling");
    expect(lines.at(-1)).toMatch(/^section_end:\d+:valar_turndown\r\u001b\[0K$/);
    // No other escape code reaches the log.
    expect(r.stdout.replace(/\r\u001b\[0K/g, "")).not.toContain("\u001b");
  });

  it("outside CI nothing is added", async () => {
    srv = await logServer("done", LOG);
    const r = await logs(srv, []);
    expect(r.stdout).not.toContain("::");
    expect(r.stdout).not.toContain("section_");
  });
});
