import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { execa } from "execa";
import { BIN, isolatedEnv, runValar, tempDir } from "../helpers/cli.js";
import { json, startFaultServer, type FaultServer } from "../helpers/fault-server.js";

// Settings and ignore files as found on disk: which .valar.yml counts, files that are not
// regular files, and the stored config's writes (the CLI spawned against a fault server).

const BUILD_ID = "1234abcd-0000-4000-8000-000000000001";
let server: FaultServer;

beforeAll(async () => {
  server = await startFaultServer();
  server.on("POST /projects/demo/services/hello/artifacts", (_req, res) => json(res, 200, { artifact: "art-1" }));
  server.on("POST /projects/demo/services/hello/builds", (_req, res) =>
    json(res, 200, { id: BUILD_ID, status: "pending", createdAt: "2026-01-01T00:00:00Z" }),
  );
  server.on("GET /projects/demo/services/hello/builds", (_req, res) => json(res, 200, []));
  server.on("GET /users/info", (_req, res) => json(res, 200, { name: "ada", projects: [] }));
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

const HELLO_YML = "project: demo\nservice: hello\nbuild:\n  constructor: shell\n";

/** A repository (a directory holding .git) with examples/hello/.valar.yml, inside a fresh HOME. */
function repository(): { env: Record<string, string | undefined>; repo: string } {
  const env = isolatedEnv({ VALAR_ENDPOINT: server.endpoint, VALAR_TOKEN: "tok" });
  const repo = join(env.HOME!, "repo");
  mkdirSync(join(repo, ".git"), { recursive: true });
  mkdirSync(join(repo, "examples", "hello"), { recursive: true });
  writeFileSync(join(repo, "examples", "hello", ".valar.yml"), HELLO_YML, { mode: 0o644 });
  writeFileSync(join(repo, "examples", "hello", "build.sh"), "echo hi\n", { mode: 0o755 });
  return { env, repo };
}

describe("which .valar.yml counts", () => {
  it("submit DIR reads DIR's .valar.yml, run from the repository root", async () => {
    const { env, repo } = repository();
    const r = await runValar(["builds", "submit", "examples/hello"], { env, cwd: repo });
    // No warning or error: only the packing lines and the submission.
    expect(r.stderr).toMatch(
      /^packing examples\/hello \(ignore rules: none\)\npacked 2 files, [^\n]*\nsubmitted build 1234abcd from artifact art-1$/,
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(BUILD_ID);
    const submit = server.requests.find((q) => q.method === "POST" && q.path.endsWith("/builds"));
    expect(submit?.path).toBe("/projects/demo/services/hello/builds");
    expect(JSON.parse(submit!.body.toString())).toEqual({ artifact: "art-1", build: { constructor: "shell" } });
  });

  it("--dry-run and --debug say which .valar.yml is in use", async () => {
    const { env, repo } = repository();
    const dry = await runValar(["builds", "submit", "examples/hello", "--dry-run"], { env, cwd: repo });
    expect(dry.exitCode).toBe(0);
    expect(dry.stderr.split("\n")).toContain(`settings: ${join(repo, "examples", "hello", ".valar.yml")}`);
    const debug = await runValar(["--debug", "builds", "ls"], { env, cwd: join(repo, "examples", "hello") });
    expect(debug.exitCode).toBe(0);
    expect(debug.stderr).toMatch(new RegExp(`^debug: settings from ${join(repo, "examples", "hello", ".valar.yml").replace(/[.]/g, "\\.")}$`, "m"));
  });

  it("a .valar.yml in a world-writable directory above is ignored, with a warning naming it", async () => {
    const env = isolatedEnv({ VALAR_ENDPOINT: server.endpoint, VALAR_TOKEN: "tok" });
    const shared = join(tempDir(), "shared");
    mkdirSync(join(shared, "work"), { recursive: true });
    chmodSync(shared, 0o1777);
    writeFileSync(join(shared, ".valar.yml"), HELLO_YML + "  environment: [LD_PRELOAD=/tmp/evil.so]\n", { mode: 0o644 });
    const r = await runValar(["builds", "ls"], { env, cwd: join(shared, "work") });
    expect(r.stderr).toContain(`warning: ignoring ${join(shared, ".valar.yml")}: ${shared} is writable by anyone`);
    expect(r.stderr).toMatch(/^error: no project given$/m);
    expect(r.exitCode).toBe(2);
    expect(server.requests).toEqual([]);
  });

  it("an unknown key is a warning naming the nearest known one", async () => {
    const { env, repo } = repository();
    writeFileSync(join(repo, "examples", "hello", ".valar.yml"), HELLO_YML + "bulid:\n  constructor: golang\n", { mode: 0o644 });
    const r = await runValar(["builds", "ls"], { env, cwd: join(repo, "examples", "hello") });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain(`warning: ${join(repo, "examples", "hello", ".valar.yml")}: unknown key "bulid" is not used; did you mean build?`);
  });
});

describe("files that are not regular files never hang valar", () => {
  it("a FIFO named .valar.yml, .gitignore or .valarignore is skipped with a warning", async () => {
    const { env, repo } = repository();
    const hello = join(repo, "examples", "hello");
    execFileSync("mkfifo", [join(repo, ".valar.yml"), join(hello, ".gitignore")]);
    symlinkSync("/dev/zero", join(hello, ".valarignore"));
    // From a subdirectory without .valar.yml, the walk reaches the FIFO at the repository root.
    mkdirSync(join(repo, "docs"));
    const ls = await runValar(["builds", "ls", "-p", "demo", "-s", "hello"], { env, cwd: join(repo, "docs") });
    expect(ls.exitCode).toBe(0);
    expect(ls.stderr.split("\n")[0]).toBe(`warning: ignoring ${join(repo, ".valar.yml")}: it is a FIFO, not a regular file`);
    const dry = await runValar(["builds", "submit", "examples/hello", "--dry-run"], { env, cwd: repo });
    expect(dry.exitCode).toBe(0);
    expect(dry.stderr).toContain("warning: ignoring .gitignore: it is a FIFO, not a regular file; its rules are not applied");
    expect(dry.stderr).toContain("warning: ignoring .valarignore: it is a character device, not a regular file; its rules are not applied");
  });

  it("a config.json linked to /dev/zero or to someone else's file: exit 2, never quoted", async () => {
    const env = isolatedEnv({ VALAR_ENDPOINT: server.endpoint });
    mkdirSync(env.VALAR_CONFIG_DIR!, { recursive: true });
    const config = join(env.VALAR_CONFIG_DIR!, "config.json");
    symlinkSync("/dev/zero", config);
    const zero = await runValar(["config", "list"], { env });
    expect(zero.exitCode).toBe(2);
    expect(zero.stderr).toMatch(
      /^error: cannot use the stored settings in .*config\.json: not a valid settings file \(it is a character device, not a regular file\)$/m,
    );
    const shadow = join(tempDir(), "shadow");
    writeFileSync(shadow, "root:$6$SECRETHASH$abcdef:19000:0:99999:7:::\n");
    spawnSync("rm", [config]);
    symlinkSync(shadow, config);
    const r = await runValar(["config", "list"], { env });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/not a valid settings file \(not JSON\)/);
    expect(r.stderr).not.toMatch(/root|SECRET/);
  });
});

describe("the stored settings", () => {
  it("auth login stores token, binding and endpoint in one write, 0600", async () => {
    const env = isolatedEnv({ VALAR_ENDPOINT: server.endpoint });
    const r = await runValar(["auth", "login"], { env, input: "tok-1\n", stdin: "pipe" });
    expect(r.exitCode).toBe(0);
    const path = join(env.VALAR_CONFIG_DIR!, "config.json");
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ endpoint: server.endpoint, token: "tok-1", tokenEndpoint: server.endpoint });
  });

  it("a token file others can read is made 0600, with a warning", async () => {
    const env = isolatedEnv({ VALAR_ENDPOINT: server.endpoint });
    mkdirSync(env.VALAR_CONFIG_DIR!, { recursive: true });
    const path = join(env.VALAR_CONFIG_DIR!, "config.json");
    writeFileSync(path, JSON.stringify({ token: "tok", tokenEndpoint: server.endpoint }));
    chmodSync(path, 0o644);
    const r = await runValar(["auth", "status"], { env });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain(`warning: ${path} holds the token and was open to other users (mode 0644); it is now 0600`);
    expect(spawnSync("stat", ["-c", "%a", path]).stdout.toString().trim()).toBe("600");
  });

  // A real full disk: a 16 KiB tmpfs in a mount namespace of its own (root only).
  const canMount = process.getuid?.() === 0 && spawnSync("unshare", ["-m", "true"]).status === 0;
  it.runIf(canMount)("a full disk during auth login is exit 1 with one line; the old file stays whole", async () => {
    const env = isolatedEnv({ VALAR_ENDPOINT: server.endpoint });
    const dir = env.VALAR_CONFIG_DIR!;
    mkdirSync(dir, { recursive: true });
    const before = JSON.stringify({ endpoint: "http://127.0.0.1:9/v2", token: "old", tokenEndpoint: "http://127.0.0.1:9/v2" });
    const script = [
      `mount -t tmpfs -o size=16k tmpfs "$1"`,
      `printf '%s' "$2" > "$1/config.json"`,
      `chmod 600 "$1/config.json"`,
      `head -c 16384 /dev/zero > "$1/filler" 2>/dev/null`,
      `printf 'tok-new\\n' | "$3" "$4" auth login --endpoint "$5"`,
      `echo "rc=$?"`,
      `cat "$1/config.json"`,
    ].join("; ");
    // Not spawnSync: the fault server answering the login lives in this process.
    const r = await execa("unshare", ["-m", "sh", "-c", script, "sh", dir, before, process.execPath, BIN, server.endpoint], {
      env,
      extendEnv: false,
      reject: false,
    });
    expect(r.stdout).toContain("rc=1");
    expect(r.stdout.trim().endsWith(before)).toBe(true);
    expect(r.stderr).toMatch(/^error: cannot save the settings to .*config\.json: no space left on the device; nothing was changed$/m);
    expect(r.stderr.split("\n").filter((l) => l.startsWith("error:"))).toHaveLength(1);
  });
});
