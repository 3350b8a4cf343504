import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxRequest, startSandbox, submitFiles, waitForBuild, type TestSandbox } from "../../helpers/sandbox.js";

const base = "/projects/demo/services/web";

describe("sandbox constructors", () => {
  let sb: TestSandbox;
  beforeAll(async () => {
    sb = await startSandbox({ maxParallel: 2 });
  });
  afterAll(async () => {
    await sb?.stop();
  });

  async function build(files: Record<string, string>, constructorName: string, environment?: { key: string; value: string }[]) {
    const sub = await submitFiles(sb, files, { constructorName, environment, skipDeploy: true });
    const result = await waitForBuild(sb, sub.id, { timeoutMs: 60_000 });
    const logs = (await sandboxRequest(sb, "GET", `${base}/builds/${sub.id}/logs`)).text;
    return { ...result, logs };
  }

  it("static: nothing to run, but the files are checked", async () => {
    const ok = await build({ "index.html": "<p>hi</p>", "css/site.css": "p{}" }, "static");
    expect(ok.status).toBe("done");
    expect(ok.logs).toContain("static site: 2 files");
  });

  it("node: npm install and npm run build", async () => {
    const pkg = JSON.stringify({ name: "app", version: "1.0.0", private: true, scripts: { build: "echo built-by-npm" } });
    const r = await build({ "package.json": pkg }, "node");
    expect(r.logs).toContain("running npm install");
    expect(r.logs).toContain("built-by-npm");
    expect(r.status).toBe("done");
  });

  it("node without package.json fails saying so", async () => {
    const r = await build({ "index.js": "" }, "node-static");
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/package\.json not found/);
  });

  it("python: compiles the sources, and fails on a syntax error", async () => {
    expect((await build({ "app.py": "print('hi')\n" }, "python")).status).toBe("done");
    const bad = await build({ "app.py": "def broken(:\n" }, "python");
    expect(bad.status).toBe("failed");
    expect(bad.logs).toMatch(/SyntaxError/);
  });

  it("a missing toolchain fails the build with a log line naming the tool", async () => {
    const noTools = [{ key: "PATH", value: "/nonexistent" }];
    for (const [constructor, files, tool] of [
      ["golang", { "go.mod": "module x\n" }, "go"],
      ["go", { "go.mod": "module x\n" }, "go"],
      ["node", { "package.json": "{}" }, "npm"],
      ["python", { "app.py": "" }, "python3"],
      ["docker", { Dockerfile: "FROM scratch\n" }, "docker"],
    ] as const) {
      const r = await build(files, constructor, noTools);
      expect(r.status).toBe("failed");
      expect(r.error).toBe(`${tool} is not installed (not found on PATH): the ${constructor} constructor needs it`);
      const wrapper = r.logs
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l))
        .filter((e) => e.source === "WRAPPER");
      expect(wrapper.some((e) => e.content.includes(`${tool} is not installed`))).toBe(true);
    }
  });

  it("docker: fails saying there is no engine (none runs here)", async () => {
    const r = await build({ Dockerfile: "FROM scratch\n" }, "kaniko");
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/docker is not installed|no Docker engine is reachable/);
  });

  it("shell: needs build.sh", async () => {
    const r = await build({ README: "no script" }, "shell");
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/build\.sh not found/);
  });

  it("an artifact with an escaping entry fails the build", async () => {
    // tar.c refuses to pack such names, so this one is assembled from an honest archive:
    // the unit tests cover every kind of escape; this checks the build's error and log.
    const { gzipSync } = await import("node:zlib");
    const { Header } = await import("tar");
    const block = Buffer.alloc(512);
    new Header({ path: "../../evil.sh", type: "File", size: 0, mode: 0o644, mtime: new Date(0) }).encode(block);
    const up = await sandboxRequest(sb, "POST", `${base}/artifacts`, { body: gzipSync(Buffer.concat([block, Buffer.alloc(1024)])) });
    const sub = await sandboxRequest(sb, "POST", `${base}/builds`, { body: { artifact: up.json.artifact, build: { constructor: "shell" } } });
    const b = await waitForBuild(sb, sub.json.id);
    expect(b.status).toBe("failed");
    expect(b.error).toMatch(/^artifact refused: entry "\.\.\/\.\.\/evil\.sh" has a "\.\." segment/);
    expect(existsSync(join(sb.dataDir, "evil.sh"))).toBe(false);
  });
});
