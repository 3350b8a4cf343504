import { closeSync, openSync, readdirSync, rmSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as tar from "tar";
import { isolatedEnv, runValar, tempDir } from "../helpers/cli.js";
import { json, startFaultServer, type FaultServer } from "../helpers/fault-server.js";
import { makeTree, type Tree } from "../helpers/tree.js";

const BUILD_ID = "1234abcd-0000-4000-8000-000000000001";
const ARTIFACTS = "/projects/demo/services/web/artifacts";
const BUILDS = "/projects/demo/services/web/builds";
const SUBMIT_ANSWER = { id: BUILD_ID, status: "pending", createdAt: "2026-01-01T00:00:00Z", deployment: "v13" };

let server: FaultServer;
let tmp: string;
const cleanups: Array<() => void> = [];

beforeAll(async () => {
  server = await startFaultServer();
  server.on(`POST ${ARTIFACTS}`, (_req, res) => json(res, 200, { artifact: "art-1" }));
  server.on(`POST ${BUILDS}`, (_req, res) => json(res, 200, SUBMIT_ANSWER));
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  tmp = tempDir("valar-submit-tmp-");
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** The CLI's environment: this server, a token, demo/web, and a TMPDIR the test can inspect. */
function env(extra: Record<string, string | undefined> = {}) {
  return isolatedEnv({
    VALAR_ENDPOINT: server.endpoint,
    VALAR_TOKEN: "secret-token",
    VALAR_PROJECT: "demo",
    VALAR_SERVICE: "web",
    TMPDIR: tmp,
    ...extra,
  });
}

/** A source tree for one test, removed after it (see test/helpers/tree.ts for the spec). */
function sourceTree(files: Tree): string {
  const tree = makeTree(files);
  cleanups.push(tree.cleanup);
  return tree.dir;
}

interface TarEntry {
  path: string;
  type: string;
  mode?: number;
  linkpath?: string;
}

async function unpackListing(body: Buffer): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const parser = new tar.Parser({
    strict: true,
    onReadEntry: (e) => {
      entries.push({ path: e.path, type: e.type, mode: e.mode, ...(e.linkpath ? { linkpath: e.linkpath } : {}) });
      e.resume();
    },
  });
  await pipeline(Readable.from([body]), parser as unknown as NodeJS.WritableStream);
  return entries;
}

function requestsTo(method: string, path: string) {
  return server.requests.filter((r) => r.method === method && r.path === path);
}

describe("builds submit (fault server)", () => {
  it("packs the directory, uploads it as a .tar.gz and submits the build", async () => {
    const dir = sourceTree({
      "build.sh": { content: "#!/bin/sh\necho built\n", mode: 0o755 },
      "src/main.go": "package main\n",
      ".git/HEAD": "ref: refs/heads/main\n",
      ".gitignore": "*.log\n",
      "debug.log": "noise",
      alias: { link: "src" },
      escape: { link: "../../etc/passwd" },
    });
    const r = await runValar(["builds", "submit", dir, "-c", "golang"], { env: env() });
    expect(r.stderr).not.toContain("error");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`${BUILD_ID}`);
    expect(r.stderr).not.toMatch(/\u001B\[/);

    const [upload] = requestsTo("POST", ARTIFACTS);
    expect(upload).toBeDefined();
    expect(upload!.headers["content-type"]).toBe("application/octet-stream");
    expect(upload!.headers.authorization).toBe("Bearer secret-token");
    expect(Number(upload!.headers["content-length"])).toBe(upload!.body.length);
    expect(upload!.body.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(await unpackListing(upload!.body)).toEqual([
      { path: ".gitignore", type: "File", mode: 0o644 },
      { path: "alias", type: "SymbolicLink", mode: 0o777, linkpath: "src" },
      { path: "build.sh", type: "File", mode: 0o755 },
      { path: "src/main.go", type: "File", mode: 0o644 },
    ]);
    expect(r.stderr).toMatch(/^warning: skipping escape: a symlink to \.\.\/\.\.\/etc\/passwd, outside the directory, is left out$/m);

    const [submit] = requestsTo("POST", BUILDS);
    expect(JSON.parse(submit!.body.toString())).toEqual({ artifact: "art-1", build: { constructor: "golang" } });
    // The upload came first, and the temporary archive is gone.
    expect(server.requests.indexOf(upload!)).toBeLessThan(server.requests.indexOf(submit!));
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("merges .valar.yml settings with the flags (the flag wins per key) and honours build.ignore", async () => {
    const dir = sourceTree({
      ".valar.yml": [
        "build:",
        "  constructor: python",
        "  ignore: [docs/, vendor]",
        "  environment:",
        "    - A=from-file",
        "    - B=from-file",
        "deployment:",
        "  environment:",
        "    - key: API_KEY",
        "      value: old",
        "      secret: true",
        "    - PLAIN=1",
        "",
      ].join("\n"),
      "app.py": "print(1)\n",
      "docs/index.md": "d",
      "docsite/x": "x",
      "vendor/lib.py": "v",
      "notes.tmp": "t",
    });
    const r = await runValar(
      ["builds", "submit", "--build-env", "A=from-flag", "--build-env", "C=x=y", "--env", "API_KEY=new", "--ignore", "*.tmp"],
      { env: env(), cwd: dir },
    );
    // Off a terminal: a line as packing starts, one as it ends, and the artifact submitted.
    expect(r.stderr.split("\n")).toEqual([
      "packing . (ignore rules: build.ignore, --ignore)",
      expect.stringMatching(/^packed 3 files, \d+ B → \d+ B compressed$/),
      "submitted build 1234abcd from artifact art-1; it will deploy as v13",
    ]);
    expect(r.exitCode).toBe(0);
    const [upload] = requestsTo("POST", ARTIFACTS);
    expect((await unpackListing(upload!.body)).map((e) => e.path)).toEqual([".valar.yml", "app.py", "docsite/x"]);
    const [submit] = requestsTo("POST", BUILDS);
    expect(JSON.parse(submit!.body.toString())).toEqual({
      artifact: "art-1",
      build: {
        constructor: "python",
        environment: [
          { key: "A", value: "from-flag" },
          { key: "B", value: "from-file" },
          { key: "C", value: "x=y" },
        ],
      },
      deployment: {
        environment: [
          { key: "API_KEY", value: "new", secret: true },
          { key: "PLAIN", value: "1" },
        ],
      },
    });
  });

  it("lets -c override .valar.yml; shell, the sandbox's constructor, is accepted", async () => {
    const dir = sourceTree({ ".valar.yml": "build:\n  constructor: python\n", "build.sh": "true\n" });
    const r = await runValar(["builds", "submit", "-c", "shell"], { env: env(), cwd: dir });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(requestsTo("POST", BUILDS)[0]!.body.toString()).build.constructor).toBe("shell");
  });

  it("sets deployment.skip with --no-deploy", async () => {
    const dir = sourceTree({ "a.txt": "a" });
    const r = await runValar(["builds", "submit", dir, "-c", "static", "--no-deploy"], { env: env() });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(requestsTo("POST", BUILDS)[0]!.body.toString())).toEqual({
      artifact: "art-1",
      build: { constructor: "static" },
      deployment: { skip: true },
    });
  });

  it("sets deployment.skip from .valar.yml", async () => {
    const dir = sourceTree({ ".valar.yml": "build:\n  constructor: node\ndeployment:\n  skip: true\n", "a.js": "a" });
    const r = await runValar(["builds", "submit"], { env: env(), cwd: dir });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(requestsTo("POST", BUILDS)[0]!.body.toString()).deployment).toEqual({ skip: true });
  });

  it("prints the submit answer as the one JSON document with --json", async () => {
    const dir = sourceTree({ "a.txt": "a" });
    const r = await runValar(["builds", "submit", dir, "-c", "static", "--json"], { env: env() });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ...SUBMIT_ANSWER, artifact: "art-1" });
  });

  it("submits an uploaded artifact with --artifact, packaging and uploading nothing", async () => {
    const r = await runValar(["builds", "submit", "/nonexistent", "-c", "docker", "--artifact", "key-42"], { env: env() });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(BUILD_ID);
    expect(requestsTo("POST", ARTIFACTS)).toEqual([]);
    expect(JSON.parse(requestsTo("POST", BUILDS)[0]!.body.toString())).toEqual({ artifact: "key-42", build: { constructor: "docker" } });
  });

  it("exits 2 naming the known constructors when there is none, sending nothing", async () => {
    const dir = sourceTree({ "a.txt": "a" });
    const r = await runValar(["builds", "submit", dir], { env: env() });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: no constructor given$/m);
    expect(r.stderr).toMatch(
      /^hint: .*golang \(go, golang-1\.17\), python, node, node-static, static, docker \(dockerfile, kaniko\), shell \(valar sandbox only\)$/m,
    );
    expect(r.stdout).toBe("");
    expect(server.requests).toEqual([]);
  });

  it.each([
    ["--build-env", "NOVALUE"],
    ["--env", "=x"],
  ])("exits 2 on a malformed %s value, sending nothing", async (flag, value) => {
    const dir = sourceTree({ "a.txt": "a" });
    const r = await runValar(["builds", "submit", dir, "-c", "golang", flag, value], { env: env() });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`error: invalid ${flag} "${value}": expected KEY=VALUE`);
    expect(server.requests).toEqual([]);
  });

  it("exits 2 when dir does not exist, before uploading", async () => {
    const r = await runValar(["builds", "submit", join(tmp, "missing"), "-c", "golang"], { env: env() });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/error: .*missing does not exist/);
    expect(requestsTo("POST", ARTIFACTS)).toEqual([]);
  });

  it("exits 1 and packs nothing when every file is ignored", async () => {
    const dir = sourceTree({ "a.log": "a", ".gitignore": "*\n" });
    const r = await runValar(["builds", "submit", dir, "-c", "golang"], { env: env() });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("nothing to pack");
    expect(server.requests).toEqual([]);
  });

  it("--dry-run lists the files and their size, uploads nothing, and needs no token or project", async () => {
    const dir = sourceTree({ "b.txt": "bb", "a/x.sh": { content: "#!/bin/sh\n", mode: 0o755 }, ".git/config": "x", l: { link: "b.txt" } });
    const r = await runValar(["builds", "submit", dir, "--dry-run"], { env: isolatedEnv({ VALAR_ENDPOINT: server.endpoint }) });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split("\n")).toEqual(["a/x.sh", "b.txt", "l"]);
    expect(r.stderr).toBe("settings: no .valar.yml\nignore rules: none\n3 files, 12 B before compression (dry run: nothing uploaded)\n".trimEnd());
    expect(server.requests).toEqual([]);
  });

  it("--dry-run --json prints one JSON document of the files", async () => {
    const dir = sourceTree({ "x.sh": { content: "#!/bin/sh\n", mode: 0o755 }, l: { link: "x.sh" } });
    const r = await runValar(["builds", "submit", dir, "--dry-run", "--json"], { env: env() });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      files: [
        { path: "l", type: "symlink", size: 0, mode: "0777", target: "x.sh" },
        { path: "x.sh", type: "file", size: 10, mode: "0755" },
      ],
      totalBytes: 10,
    });
    expect(server.requests).toEqual([]);
  });

  it("exits 2 for a missing project before packaging", async () => {
    const dir = sourceTree({ "a.txt": "a" });
    const r = await runValar(["builds", "submit", dir, "-c", "golang"], { env: env({ VALAR_PROJECT: undefined }) });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("no project given");
    expect(server.requests).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("reports a refused upload (exit 1), submits nothing and removes the temporary archive", async () => {
    const other = await startFaultServer();
    try {
      other.on(`POST ${ARTIFACTS}`, (_req, res) => json(res, 400, { error: "artifact rejected" }));
      const dir = sourceTree({ "a.txt": "a" });
      const r = await runValar(["builds", "submit", dir, "-c", "golang"], { env: env({ VALAR_ENDPOINT: other.endpoint }) });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain("error: artifact rejected");
      expect(r.stdout).toBe("");
      expect(other.requests.filter((q) => q.path === BUILDS)).toEqual([]);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it("exits 2 on a bad --timeout before anything is sent", async () => {
    const dir = sourceTree({ "a.txt": "a" });
    const r = await runValar(["builds", "submit", dir, "-c", "golang", "-w", "--timeout", "soon"], { env: env() });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('invalid duration "soon"');
    expect(server.requests).toEqual([]);
  });

  it("on Ctrl-C during the upload exits 130, submits nothing and removes the temporary archive", async () => {
    const stalled = await startFaultServer();
    try {
      let uploadSeen!: () => void;
      const seen = new Promise<void>((resolve) => (uploadSeen = resolve));
      // Never answers: the CLI is still waiting on the upload when it is interrupted.
      stalled.on(`POST ${ARTIFACTS}`, () => uploadSeen());
      const dir = sourceTree({ "a.txt": "a" });
      const child = runValar(["builds", "submit", dir, "-c", "golang"], { env: env({ VALAR_ENDPOINT: stalled.endpoint }) });
      await seen;
      child.kill("SIGINT");
      const r = await child;
      expect(r.exitCode).toBe(130);
      expect(r.stdout).toBe("");
      expect(stalled.requests.filter((q) => q.path === BUILDS)).toEqual([]);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      await stalled.close();
    }
  });

  it("refuses an archive over 128 MB before any upload, stopping at the limit", async () => {
    const dir = sourceTree({ "small.txt": "s" });
    // Random bytes do not compress: the archive ends up just over the limit.
    const fd = openSync(join(dir, "blob.bin"), "w");
    try {
      for (let mb = 0; mb < 129; mb++) writeSync(fd, randomBytes(1024 * 1024));
    } finally {
      closeSync(fd);
    }
    const r = await runValar(["builds", "submit", dir, "-c", "golang"], { env: env() });
    expect(r.exitCode).toBe(1);
    // Packing stops at the limit, inside blob.bin (sorted first): the rest of it is never
    // compressed nor written, and small.txt never packed.
    expect(r.stderr).toMatch(/^error: archive is over the 128 MiB limit \(packing stopped after 0 files\)$/m);
    expect(r.stderr).toMatch(/^hint: .*--ignore.*\.valarignore/m);
    expect(r.stdout).toBe("");
    expect(server.requests).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  }, 120_000);
});
