import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runValar, tempDir } from "../helpers/cli.js";
import { startSandbox, waitForBuild, type TestSandbox } from "../helpers/sandbox.js";

let sb: TestSandbox;
const sources: string[] = [];

beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.stop();
  for (const dir of sources) rmSync(dir, { recursive: true, force: true });
});

/** A project directory whose build.sh (run by the sandbox's `shell` constructor) is `script`. */
function project(script: string, extra: Record<string, string | { link: string }> = {}): string {
  const dir = tempDir("valar-submit-sb-");
  sources.push(dir);
  writeFileSync(join(dir, "build.sh"), `set -e\n${script}\n`);
  for (const [path, spec] of Object.entries(extra)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    if (typeof spec === "string") writeFileSync(join(dir, path), spec);
    else symlinkSync(spec.link, join(dir, path));
  }
  return dir;
}

describe("builds submit (sandbox)", () => {
  it("builds a real directory through to done: modes, symlinks and ignore rules survive the trip", async () => {
    const dir = project(
      ["./tool.sh", 'test "$(cat link.txt)" = real-content', "test -L link.txt", "test ! -e secret.env", "test ! -e .git", "echo checks-passed"].join(
        "\n",
      ),
      {
        "tool.sh": "#!/bin/sh\necho tool-ran\n",
        "data/real.txt": "real-content",
        "link.txt": { link: "data/real.txt" },
        "secret.env": "TOKEN=x",
        ".gitignore": "*.env\n",
        ".git/HEAD": "ref",
      },
    );
    chmodSync(join(dir, "tool.sh"), 0o755);
    const r = await runValar(["builds", "submit", dir, "-c", "shell"], { env: sb.env() });
    // Off a terminal: packing's first and last lines, then the build and its artifact.
    expect(r.stderr).toMatch(
      /^packing \S+ \(ignore rules: \.gitignore\)\npacked 5 files, \d+ B → \d+ B compressed\nsubmitted build \w{8} from artifact [0-9a-f]+; it will deploy as v\d+$/,
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^[A-Za-z0-9-]+$/);
    const build = await waitForBuild(sb, r.stdout);
    expect(build).toMatchObject({ status: "done", constructor: "shell" });
    const logs = await runValar(["builds", "logs", r.stdout, "--raw"], { env: sb.env() });
    expect(logs.stdout).toContain("tool-ran");
    expect(logs.stdout).toContain("checks-passed");
  });

  it("-f prints the ID first, then streams the logs, and exits 0 when the build is done", async () => {
    const dir = project('echo "greeting=$GREETING"');
    const r = await runValar(["builds", "submit", dir, "-c", "shell", "--build-env", "GREETING=hello", "-f"], { env: sb.env() });
    expect(r.exitCode).toBe(0);
    const [first, ...rest] = r.stdout.split("\n");
    expect(first).toMatch(/^[A-Za-z0-9-]+$/);
    expect(rest.join("\n")).toContain("greeting=hello");
    expect((await waitForBuild(sb, first!)).status).toBe("done");
  });

  it("-w waits without logs and exits 3 when the build fails", async () => {
    const dir = project("echo about-to-fail\nexit 7");
    const r = await runValar(["builds", "submit", dir, "-c", "shell", "-w", "--no-deploy"], { env: sb.env() });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/^[A-Za-z0-9-]+$/);
    expect(r.stdout).not.toContain("about-to-fail");
    expect((await waitForBuild(sb, r.stdout)).status).toBe("failed");
  });

  it("-f exits 3 with the failing build's logs on stdout", async () => {
    const dir = project("echo failing-now >&2\nexit 1");
    const r = await runValar(["builds", "submit", dir, "-c", "shell", "-f"], { env: sb.env() });
    expect(r.exitCode).toBe(3);
    expect(r.stdout.split("\n")[0]).toMatch(/^[A-Za-z0-9-]+$/);
    expect(r.stdout).toContain("failing-now");
  });
});
