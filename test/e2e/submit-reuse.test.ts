import { cpSync, existsSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isolatedEnv, runValar, tempDir } from "../helpers/cli.js";
import { json, startFaultServer, type FaultServer } from "../helpers/fault-server.js";
import { makeTree } from "../helpers/tree.js";

const ARTIFACTS = "/projects/demo/services/web/artifacts";
const BUILDS = "/projects/demo/services/web/builds";
const BUILD_ID = "1234abcd-0000-4000-8000-000000000001";
const SUBMIT_ANSWER = { id: BUILD_ID, status: "pending", createdAt: "2026-01-01T00:00:00Z", deployment: "v13" };

let server: FaultServer;
let home: string;
let cache: string;
let uploads = 0;
const cleanups: Array<() => void> = [];

beforeAll(async () => {
  server = await startFaultServer();
  server.on(`POST ${ARTIFACTS}`, (_req, res) => json(res, 200, { artifact: `art-${++uploads}` }));
  server.on(`POST ${BUILDS}`, (_req, res) => json(res, 200, SUBMIT_ANSWER));
  server.on(`POST ${ARTIFACTS.replace("demo", "other")}`, (_req, res) => json(res, 200, { artifact: `art-${++uploads}` }));
  server.on(`POST ${BUILDS.replace("demo", "other")}`, (_req, res) => json(res, 200, SUBMIT_ANSWER));
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  home = tempDir("valar-reuse-home-");
  cache = join(home, "cache");
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** demo/web on this server, with a cache directory of the test's own. */
const env = (extra: Record<string, string | undefined> = {}) =>
  isolatedEnv({
    VALAR_TOKEN: "secret-token",
    VALAR_PROJECT: "demo",
    VALAR_SERVICE: "web",
    VALAR_ENDPOINT: server.endpoint,
    VALAR_CACHE_DIR: cache,
    ...extra,
  });

function source(): string {
  const tree = makeTree({ "main.go": "package main\n", "run.sh": { content: "#!/bin/sh\n", mode: 0o755 }, l: { link: "main.go" } });
  cleanups.push(tree.cleanup);
  return tree.dir;
}

const submit = (dir: string, args: string[] = [], extra?: Record<string, string | undefined>) =>
  runValar(["builds", "submit", dir, "-c", "golang", ...args], { env: env(extra) });
const sent = (path: string) => server.requests.filter((r) => r.method === "POST" && r.path.endsWith(path.replace("/projects/demo", "")));
const submittedArtifacts = () => sent(BUILDS).map((r) => (JSON.parse(r.body.toString()) as { artifact: string }).artifact);

describe("builds submit: an unchanged source is not uploaded again", () => {
  it("reuses the artifact for a fresh copy of the same tree, says so and shows the key", async () => {
    const dir = source();
    const first = await submit(dir);
    expect(first.exitCode).toBe(0);
    const artifact = submittedArtifacts()[0]!;
    expect(first.stderr).toContain(`from artifact ${artifact}`);

    // Another checkout of the same commit: other mtimes, same content.
    const copy = join(dir, "..", "copy");
    cpSync(dir, copy, { recursive: true, verbatimSymlinks: true });
    utimesSync(join(copy, "main.go"), new Date(0), new Date(0));
    server.requests.length = 0;
    const second = await submit(copy, ["--json"]);
    expect(second.exitCode).toBe(0);
    expect(sent(ARTIFACTS)).toHaveLength(0);
    expect(submittedArtifacts()).toEqual([artifact]);
    expect(second.stderr).toMatch(new RegExp(`^source unchanged: reusing artifact ${artifact} \\(--no-reuse to upload\\)$`, "m"));
    expect(JSON.parse(second.stdout)).toEqual({ ...SUBMIT_ANSWER, artifact });
  });

  it("uploads again when a file or the project changes, and with --no-reuse", async () => {
    const dir = source();
    expect((await submit(dir)).exitCode).toBe(0);
    writeFileSync(join(dir, "main.go"), "package main\n// changed\n");
    expect((await submit(dir)).exitCode).toBe(0);
    expect((await submit(dir, ["--no-reuse"])).exitCode).toBe(0);
    expect((await submit(dir, ["-p", "other"], { VALAR_PROJECT: undefined })).exitCode).toBe(0);
    expect(sent(ARTIFACTS)).toHaveLength(4);
    // The last upload was for another project; demo/web still remembers the --no-reuse one.
    const again = await submit(dir);
    expect(again.stderr).toContain("source unchanged: reusing artifact");
    expect(sent(ARTIFACTS)).toHaveLength(4);
  });

  it("keeps what it remembers in the cache directory, mode 0600, not in the config file", async () => {
    const dir = source();
    const xdg = join(home, "xdg-cache");
    expect((await submit(dir, [], { VALAR_CACHE_DIR: undefined, XDG_CACHE_HOME: xdg })).exitCode).toBe(0);
    const file = join(xdg, "valar", "artifacts.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(xdg, "valar")).mode & 0o777).toBe(0o700);
    expect(readFileSync(file, "utf8")).toContain(submittedArtifacts()[0]!);
    expect(existsSync(join(home, "valar-config"))).toBe(false);
  });

  it("uploads and submits again, once, when the server no longer knows the remembered artifact", async () => {
    const dir = source();
    expect((await submit(dir)).exitCode).toBe(0);
    const remembered = submittedArtifacts()[0]!;
    const forgetful = await startFaultServer();
    try {
      let accepted = 0;
      forgetful.on(`POST ${ARTIFACTS}`, (_req, res) => json(res, 200, { artifact: "fresh-1" }));
      forgetful.on(`POST ${BUILDS}`, (_req, res, body) => {
        const { artifact } = JSON.parse(body.toString()) as { artifact: string };
        if (artifact !== "fresh-1") return json(res, 404, { error: "artifact not found" });
        accepted++;
        json(res, 200, SUBMIT_ANSWER);
      });
      // The same endpoint as remembered, served by a server that lost its artifacts.
      const cached = readFileSync(join(cache, "artifacts.json"), "utf8").replaceAll(server.endpoint, forgetful.endpoint);
      writeFileSync(join(cache, "artifacts.json"), cached);
      const r = await submit(dir, [], { VALAR_ENDPOINT: forgetful.endpoint });
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toBe(BUILD_ID);
      const posts = forgetful.requests
        .filter((q) => q.method === "POST")
        .map((q) => [q.path, JSON.parse(q.path === BUILDS ? q.body.toString() : "{}")]);
      expect(posts).toEqual([
        [BUILDS, { artifact: remembered, build: { constructor: "golang" } }],
        [ARTIFACTS, {}],
        [BUILDS, { artifact: "fresh-1", build: { constructor: "golang" } }],
      ]);
      expect(accepted).toBe(1);
      expect(r.stderr).toContain(`the server no longer has artifact ${remembered}: uploading`);
    } finally {
      await forgetful.close();
    }
  });

  it("says the build may exist when the connection drops after the submission was sent", async () => {
    const flaky = await startFaultServer();
    try {
      flaky.on(`POST ${ARTIFACTS}`, (_req, res) => json(res, 200, { artifact: "art-9" }));
      // The request arrived whole; the answer never comes.
      flaky.on(`POST ${BUILDS}`, (_req, res) => void res.socket?.destroy());
      const r = await submit(source(), [], { VALAR_ENDPOINT: flaky.endpoint });
      expect(r.exitCode).toBe(6);
      expect(flaky.requests.filter((q) => q.path === BUILDS)).toHaveLength(1);
      expect(r.stderr).toMatch(
        /^hint: the build may have been submitted \(valar builds ls\); if not, retry with --artifact art-9 \(it is uploaded\)$/m,
      );
    } finally {
      await flaky.close();
    }
  });
});
