import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runValar, tempDir } from "../helpers/cli.js";
import { sandboxRequest, startSandbox, submitFiles, waitForBuild, type TestSandbox } from "../helpers/sandbox.js";

let sb: TestSandbox;
const dirs: string[] = [];

beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function project(script: string): string {
  const dir = tempDir("valar-end-");
  dirs.push(dir);
  writeFileSync(join(dir, "build.sh"), `${script}\n`);
  return dir;
}

const FAILING = ["echo one", "echo two", "echo 'ERROR: tests failed: 3 of 12'", "printf '\\033]0;PWNED\\007bell\\n'", "exit 1"].join("\n");

describe("the end of a waiting command (sandbox)", () => {
  it("submit -w waits until the deployment is live, then says so with the build's true duration", async () => {
    const out = join(tempDir("valar-gh-"), "output");
    dirs.push(out);
    // Whether the sandbox's pending deployment is seen depends on when a poll falls (a busy
    // machine can miss it): test/inprocess/deploy-wait.test.ts checks that step by step.
    const r = await runValar(["builds", "submit", project("echo hi"), "-c", "shell", "-w"], {
      env: sb.env({ GITHUB_OUTPUT: out }),
    });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/^ok build [0-9a-f]{8} done in \d+(\.\d)?s - deployment v\d+ live$/m);
    expect(r.stderr).not.toMatch(/[✓✗·]/);
    const deploys = await sandboxRequest(sb, "GET", "/projects/demo/services/web/deploys");
    const mine = deploys.json.find((d: { build: string }) => d.build === r.stdout);
    expect(mine.status).toBe("done");
    expect(readFileSync(out, "utf8")).toBe(`build-id=${r.stdout}\nstatus=done\ndeployment=${mine.version}\n`);
  });

  it("--no-wait-deploy stops at the build's end, the deployment still pending", async () => {
    const r = await runValar(["builds", "submit", project("echo hi"), "-c", "shell", "-w", "--no-wait-deploy"], { env: sb.env() });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).not.toMatch(/^deployment v\d+: pending$/m);
    expect(r.stderr).toMatch(/^ok build [0-9a-f]{8} done in \S+ - deployment v\d+ pending$/m);
  });

  it("a failed build explains itself: its error and last lines under one heading, terminal-safe", async () => {
    const r = await runValar(["builds", "submit", project(FAILING), "-c", "shell", "-w"], { env: sb.env() });
    expect(r.exitCode).toBe(3);
    const short = r.stdout.slice(0, 8);
    expect(r.stderr).toMatch(
      new RegExp(
        `^build ${short} failed: .*; the last 4 lines of its output:\\n  one\\n  two\\n  ERROR: tests failed: 3 of 12\\n  bell\\nFAILED build ${short} failed after \\d+\\.\\ds: `,
        "m",
      ),
    );
    expect(r.stderr).not.toMatch(/[\u0007\u001b]/);
    expect(r.stderr).not.toContain("deployment");
    const hint = /^hint: the whole log: (valar .*)$/m.exec(r.stderr)![1]!;
    const again = await runValar(hint.split(" ").slice(1), { env: sb.env() });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain("ERROR: tests failed: 3 of 12");
  });

  it("--failed-lines N picks how many lines, 0 turns the excerpt off; -f prints only the error", async () => {
    const one = await runValar(["builds", "submit", project(FAILING), "-c", "shell", "-w", "--failed-lines", "1"], { env: sb.env() });
    expect(one.stderr).toMatch(/the last line of its output:\n {2}bell\n/);
    const none = await runValar(["builds", "submit", project(FAILING), "-c", "shell", "-w", "--failed-lines", "0"], { env: sb.env() });
    expect(none.stderr).not.toContain("of its output");
    const followed = await runValar(["builds", "submit", project(FAILING), "-c", "shell", "-f"], { env: sb.env() });
    expect(followed.exitCode).toBe(3);
    expect(followed.stderr).not.toContain("of its output");
    expect(followed.stderr).not.toContain("hint:");
    expect(followed.stderr).toMatch(/^FAILED build [0-9a-f]{8} failed after/m);
  });

  it("a build that printed nothing is said to have printed nothing", async () => {
    const r = await runValar(["builds", "submit", project("exit 4"), "-c", "shell", "-w"], { env: sb.env() });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/^build [0-9a-f]{8} failed: .*; it printed no output$/m);
  });

  it("GitHub Actions: the excerpt in the escaped ::error annotation and as a code block in the step summary", async () => {
    const summary = join(tempDir("valar-gh-"), "summary.md");
    dirs.push(summary);
    const r = await runValar(["builds", "submit", project(FAILING), "-c", "shell", "-w"], {
      env: sb.env({ GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary }),
    });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(
      /^::error title=Valar build failed::build [0-9a-f]{8} failed after [^\n]*%0Aone%0Atwo%0AERROR: tests failed: 3 of 12%0Abell$/m,
    );
    const md = readFileSync(summary, "utf8");
    expect(md).toContain("```\none\ntwo\nERROR: tests failed: 3 of 12\nbell\n```");
    expect(md).toContain("| not deployed |");
  });

  it("GitLab CI: the excerpt in a collapsed section", async () => {
    const r = await runValar(["builds", "submit", project(FAILING), "-c", "shell", "-w"], { env: sb.env({ GITLAB_CI: "true" }) });
    expect(r.stderr).toMatch(/section_start:\d+:valar_failure\[collapsed=true\]\r\u001b\[0Kbuild [0-9a-f]{8} failed: [^\n]*\n {2}one\n/);
    expect(r.stderr).toMatch(/ {2}bell\nsection_end:\d+:valar_failure\r\u001b\[0K\n/);
  });

  it("--json on submit -w: NDJSON events, the last one the result", async () => {
    const r = await runValar(["builds", "submit", project("echo hi"), "-c", "shell", "-w", "--json"], { env: sb.env() });
    expect(r.exitCode).toBe(0);
    const events = r.stdout.split("\n").map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ event: "submitted", id: expect.any(String) });
    expect(
      events
        .filter((e) => e.event === "status")
        .map((e) => e.status)
        .at(-1),
    ).toBe("done");
    // Pending is seen only if a poll falls in it (see the first test).
    expect(events.filter((e) => e.event === "deployment").at(-1)).toMatchObject({ status: "done" });
    const result = events.at(-1);
    expect(result).toMatchObject({ event: "result", build: events[0].id, status: "done", failure: null, exitCode: 0 });
    expect(result.deployment).toMatchObject({ status: "done", build: events[0].id });
    expect(typeof result.durationSeconds).toBe("number");
  });

  it("--json on submit -f: every log entry is a log event among the others, the result last", async () => {
    const r = await runValar(["builds", "submit", project("echo first; echo second"), "-c", "shell", "-f", "--json"], {
      env: sb.env(),
    });
    expect(r.exitCode).toBe(0);
    const events = r.stdout.split("\n").map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ event: "submitted", id: expect.any(String), artifact: expect.any(String) });
    const logs = events.filter((e) => e.event === "log");
    expect(logs.filter((e) => e.source === "PROCESS").map((e) => e.content)).toEqual(["first", "second"]);
    for (const e of logs) expect(Object.keys(e)).toEqual(["event", "timestamp", "source", "stage", "content"]);
    expect(events.at(-1)).toMatchObject({ event: "result", build: events[0].id, status: "done", exitCode: 0 });
  });

  it("--json on watch: a timeout still ends in a result event with the error (exit 124)", async () => {
    const sub = await submitFiles(sb, { "build.sh": "sleep 5\n" });
    const r = await runValar(["builds", "watch", sub.id, "--json", "--timeout", "1s"], { env: sb.env() });
    expect(r.exitCode).toBe(124);
    const result = JSON.parse(r.stdout.split("\n").at(-1)!);
    expect(result).toMatchObject({ event: "result", build: sub.id, status: "running", exitCode: 124, durationSeconds: null });
    expect(result.error).toContain("stopped waiting after 1s");
    await runValar(["builds", "abort", sub.id], { env: sb.env() });
  });

  it("watch of a build that ended before it started: the duration ends at the log's last entry", async () => {
    const sub = await submitFiles(sb, { "build.sh": "sleep 1.2\necho done\n" }, { skipDeploy: true });
    await waitForBuild(sb, sub.id);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const r = await runValar(["builds", "watch", sub.id], { env: sb.env() });
    expect(r.exitCode).toBe(0);
    const took = /done in (\d+\.\d)s/.exec(r.stderr);
    expect(took, r.stderr).not.toBeNull();
    expect(Number(took![1])).toBeGreaterThanOrEqual(1.2);
    expect(Number(took![1])).toBeLessThan(3);
  });

  it("hints repeat -p and -s given as flags, so they run as printed", async () => {
    const sub = await submitFiles(sb, { "build.sh": "sleep 5\n" }, { project: "other", service: "api" });
    const env = sb.env({ VALAR_PROJECT: undefined, VALAR_SERVICE: undefined });
    const r = await runValar(["builds", "watch", sub.id, "-p", "other", "-s", "api", "--timeout", "1s"], { env });
    expect(r.exitCode).toBe(124);
    const hint = /^hint: keep waiting with `(valar [^`]+)`$/m.exec(r.stderr)![1]!;
    expect(hint).toBe(`valar builds watch ${sub.id} -p other -s api`);
    const abort = await runValar(["builds", "abort", ...hint.split(" ").slice(3, 4), ...hint.split(" ").slice(4)], { env });
    expect(abort.exitCode).toBe(0);
  });

  it("logs --failed prints the excerpt alone on stdout; inspect shows an ended build's duration", async () => {
    const sub = await submitFiles(sb, { "build.sh": "echo first\necho last words\nexit 2\n" }, { skipDeploy: true });
    await waitForBuild(sb, sub.id);
    const r = await runValar(["builds", "logs", "--failed", sub.id.slice(0, 8), "--failed-lines", "1"], { env: sb.env() });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^build ${sub.id.slice(0, 8)} failed: [^\n]+; the last line of its output:\n  last words$`));
    const i = await runValar(["builds", "inspect", sub.id], { env: sb.env() });
    expect(i.stdout).toMatch(/^Duration: +\d+\.\ds$/m);
  });
});

describe("durations without timestamps (fault server)", () => {
  it("a build that had ended, whose log has no timestamped entry: no duration rather than a wrong one", async () => {
    const { startBuildsServer, BUILDS_PATH, build, envFor } = await import("../helpers/builds-fixtures.js");
    const ended = build("e0e1f2a3-0000-4000-8000-000000000001", "done", 30);
    const server = await startBuildsServer([ended]);
    try {
      server.on(`GET ${BUILDS_PATH}/${ended.id}/logs`, (_req, res) => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("plain line\n");
      });
      server.on(`GET ${BUILDS_PATH.replace(/builds$/, "deploys")}`, (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end("[]");
      });
      const r = await runValar(["builds", "watch", "e0e1"], { env: envFor(server) });
      expect(r.exitCode).toBe(0);
      expect(r.stderr).toMatch(/^ok build e0e1f2a3 done$/m);
      expect(r.stderr).toMatch(/^build e0e1f2a3 has no deployment to wait for$/m);
    } finally {
      await server.close();
    }
  });
});

describe("a sandbox that goes away during a wait", () => {
  it("says reconnecting, gives up on a refusing loopback endpoint, and says the outcome is unknown (exit 6)", async () => {
    const local = await startSandbox();
    const sub = await submitFiles(local, { "build.sh": "sleep 30\n" });
    const child = runValar(["builds", "watch", sub.id], { env: local.env() });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    await waitForBuild(local, sub.id, { until: (s) => s === "running" });
    // Killed once the wait has begun (its first status line), not while the CLI starts.
    while (!err.includes(`build ${sub.id}: `)) await new Promise((resolve) => setTimeout(resolve, 50));
    await local.kill();
    const r = await child;
    expect(r.exitCode).toBe(6);
    expect(err).toContain("reconnecting…");
    expect(err).toMatch(new RegExp(`the outcome of build ${sub.id} is unknown`));
    expect(err).toMatch(/^hint: the build may still be running/m);
  });
});

describe("valar help waiting", () => {
  it("describes how the waiting commands end, on stdout", async () => {
    const r = await runValar(["help", "waiting"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("--no-wait-deploy");
    expect(r.stdout).toContain("--failed-lines");
    expect(r.stdout).toContain('{"event":"result"');
  });
});
