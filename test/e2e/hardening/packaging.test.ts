import { chmodSync, cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { execa } from "execa";
import { BIN, ROOT, isolatedEnv, runValar, tempDir } from "../../helpers/cli.js";
import { json, requestsTo, startFaultServer, type FaultServer } from "../../helpers/fault-server.js";
import { makeTree, type Tree } from "../../helpers/tree.js";

const ARTIFACTS = "POST /projects/demo/services/web/artifacts";
const BUILDS = "POST /projects/demo/services/web/builds";
const BUILD_ID = "1234abcd-0000-4000-8000-000000000001";

let server: FaultServer;
const cleanups: Array<() => void> = [];

beforeAll(async () => {
  server = await startFaultServer();
  server.on(ARTIFACTS, (_req, res) => json(res, 200, { artifact: "art-1" }));
  server.on(BUILDS, (_req, res) => json(res, 200, { id: BUILD_ID, status: "pending", createdAt: "2026-01-01T00:00:00Z", deployment: "" }));
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function env(extra: Record<string, string | undefined> = {}) {
  return isolatedEnv({ VALAR_ENDPOINT: server.endpoint, VALAR_TOKEN: "secret-token", VALAR_PROJECT: "demo", VALAR_SERVICE: "web", ...extra });
}

function sourceTree(files: Tree): string {
  const tree = makeTree(files);
  cleanups.push(tree.cleanup);
  return tree.dir;
}

describe("a symlink pointing outside the directory", () => {
  it("is left out with a warning by --dry-run and by a real submit alike", async () => {
    const dir = sourceTree({
      "build.sh": "true\n",
      escape: { link: "../../etc/passwd" },
      abs: { link: "/etc/hostname" },
      inside: { link: "build.sh" },
    });
    const dry = await runValar(["builds", "submit", dir, "--dry-run"], { env: env() });
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout.split("\n")).toEqual(["build.sh", "inside"]);
    const warnings = [
      "warning: skipping abs: a symlink to /etc/hostname, outside the directory, is left out",
      "warning: skipping escape: a symlink to ../../etc/passwd, outside the directory, is left out",
    ];
    for (const w of warnings) expect(dry.stderr).toContain(w);

    const real = await runValar(["builds", "submit", dir, "-c", "shell"], { env: env() });
    expect(real.exitCode).toBe(0);
    for (const w of warnings) expect(real.stderr).toContain(w);
    const listing = await execa("tar", ["-tzf", "-"], { input: requestsTo(server, ARTIFACTS)[0]!.body, encoding: "utf8" });
    expect(listing.stdout.split("\n").sort()).toEqual(["build.sh", "inside"]);
  });
});

describe("checks before packaging", () => {
  it("an unknown constructor exits 2 naming the known ones with their aliases; nothing is sent", async () => {
    const dir = sourceTree({ "main.rs": "fn main() {}\n" });
    const r = await runValar(["builds", "submit", dir, "-c", "rust"], { env: env() });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown constructor "rust" \(from -c\)$/m);
    expect(r.stderr).toMatch(
      /^hint: known constructors: golang \(go, golang-1\.17\), python, node, node-static, static, docker \(dockerfile, kaniko\), shell \(valar sandbox only\)$/m,
    );
    expect(server.requests).toEqual([]);
  });

  it("an unknown constructor in .valar.yml is found as early; an alias and shell are accepted", async () => {
    const dir = sourceTree({ ".valar.yml": "build:\n  constructor: rust\n", "a.txt": "a" });
    const r = await runValar(["builds", "submit"], { env: env(), cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown constructor "rust" \(from .*\/\.valar\.yml build\.constructor\)$/m);
    expect(server.requests).toEqual([]);
    for (const name of ["go", "kaniko", "shell"]) {
      const ok = await runValar(["builds", "submit", dir, "-c", name], { env: env() });
      expect(ok.exitCode).toBe(0);
    }
  });

  it.each([
    ['build:\n  constructor: shell\n  environment:\n    - "A B=1"\n', /\.valar\.yml: build\.environment\[0\]: "A B" is not a variable name/],
    [
      'build:\n  constructor: shell\ndeployment:\n  environment:\n    - key: "X Y"\n      value: "1"\n',
      /\.valar\.yml: deployment\.environment\[0\]: "X Y" is not a variable name/,
    ],
  ])(".valar.yml environment keys are checked like --build-env (exit 2, nothing sent)", async (yml, message) => {
    const dir = sourceTree({ ".valar.yml": yml, "build.sh": "true\n" });
    const r = await runValar(["builds", "submit"], { env: env(), cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(server.requests).toEqual([]);
  });

  it("warns when a dependency folder is packed without an ignore file that mentions it, naming its size", async () => {
    const dir = sourceTree({ "index.js": "x", "node_modules/left-pad/index.js": "a".repeat(3 * 1024), "web/.venv/lib/x.py": "b".repeat(1536) });
    const r = await runValar(["builds", "submit", dir, "--dry-run"], { env: env() });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(
      /^warning: packing node_modules\/ \(3 KiB\), a dependency folder no ignore file mentions; add node_modules\/ to \.gitignore to leave it out$/m,
    );
    expect(r.stderr).toMatch(/^warning: packing web\/\.venv\/ \(1\.5 KiB\), a dependency folder/m);
    // An ignore file that mentions it (even to keep it) is a decision already taken.
    writeFileSync(join(dir, ".valarignore"), "!node_modules/\n.venv/\n");
    const quiet = await runValar(["builds", "submit", dir, "--dry-run"], { env: env() });
    expect(quiet.stderr).not.toContain("warning");
  });
});

describe("messages", () => {
  it("a directory that does not exist is said so", async () => {
    const r = await runValar(["builds", "submit", "/nonexistent/dir", "-c", "shell"], { env: env() });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe("error: /nonexistent/dir does not exist");
  });

  it("a bad .valar.yml is one line: file, line, column, problem", async () => {
    const dir = sourceTree({ ".valar.yml": "project: demo\nbuild: [\n", "a.txt": "a" });
    const r = await runValar(["builds", "submit", "--dry-run"], { env: env(), cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: ${join(dir, ".valar.yml").replace(/[.]/g, "\\.")}:3:1: not valid YAML: [^\\n]*\\S$`));
    expect(r.stderr.split("\n")).toHaveLength(1);
  });

  it("a YAML tag such as !!js/function is one clear line, no raw YAMLWarning", async () => {
    const dir = sourceTree({ ".valar.yml": 'project: !!js/function "function () {}"\n', "a.txt": "a" });
    const r = await runValar(["builds", "submit", "--dry-run"], { env: env(), cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(`error: ${join(dir, ".valar.yml")}:1:10: unsupported YAML tag !!js/function (.valar.yml holds plain values)`);
  });

  it("an unreadable subdirectory is one clear line", async (ctx) => {
    const root = tempDir("valar-unreadable-");
    chmodSync(root, 0o777);
    const dir = join(root, "src");
    mkdirSync(join(dir, "secret"), { recursive: true });
    writeFileSync(join(dir, "a.txt"), "a");
    writeFileSync(join(dir, "secret", "b.txt"), "b");
    chmodSync(dir, 0o755);
    chmodSync(join(dir, "secret"), 0o000);
    // root reads everything: the CLI then runs as nobody, for whom the folder is closed.
    const asRoot = process.getuid?.() === 0;
    const nobody = ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath];
    let bin = BIN;
    if (asRoot) {
      // nobody may not reach the checkout (a clone under /root or a 0700 temporary
      // directory): it runs a copy of the built CLI from the directory made for it.
      const cli = join(root, "cli");
      for (const part of ["bin", "dist"]) cpSync(join(ROOT, part), join(cli, part), { recursive: true });
      chmodSync(cli, 0o755);
      bin = join(cli, "bin", "valar.js");
      const reach = await execa("setpriv", [...nobody, bin, "--version"], { reject: false, cwd: root });
      ctx.skip(reach.exitCode !== 0, `nobody cannot run ${process.execPath} or reach ${root}: ${reach.stderr.split("\n")[0]}`);
    }
    const args = [bin, "builds", "submit", dir, "--dry-run", "-c", "shell"];
    const r = await execa(asRoot ? "setpriv" : process.execPath, asRoot ? [...nobody, ...args] : args, {
      reject: false,
      extendEnv: false,
      env: { ...env(), HOME: root, VALAR_CONFIG_DIR: join(root, "config") },
      cwd: root,
    });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe("error: cannot read secret: permission denied");
  });

  it("--artifact with a key the server does not know talks of the artifact", async () => {
    const answer = await startFaultServer();
    try {
      answer.on("POST /projects/demo/services/web/builds", (_req, res) =>
        json(res, 404, { error: 'artifact "nope" not found: upload it first (POST …/artifacts)' }),
      );
      const r = await runValar(["builds", "submit", "-c", "shell", "--artifact", "nope"], { env: env({ VALAR_ENDPOINT: answer.endpoint }) });
      expect(r.exitCode).toBe(5);
      expect(r.stderr).toMatch(/^error: artifact "nope" not found: --artifact takes the key of an earlier upload$/m);
      expect(r.stderr).not.toContain("POST");
    } finally {
      await answer.close();
    }
  });
});

describe("sizes", () => {
  it("--dry-run names the unit its size is computed in (KiB, MiB: base 1024)", async () => {
    const dir = sourceTree({ "a.bin": "x".repeat(1536) });
    const r = await runValar(["builds", "submit", dir, "--dry-run"], { env: env() });
    expect(r.stderr).toBe("settings: no .valar.yml\nignore rules: none\n1 file, 1.5 KiB before compression (dry run: nothing uploaded)");
  });
});
