import { execa } from "execa";
import { cpSync, existsSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, isolatedEnv, tempDir } from "../helpers/cli.js";
import { startSandbox, submitFiles, waitForBuild, type TestSandbox } from "../helpers/sandbox.js";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; version: string };

interface PackResult {
  filename: string;
  files: { path: string }[];
}

/**
 * The package as a user gets it: `npm pack` (its `prepack` builds dist/ from scratch) and
 * `npm install -g` into a fresh prefix. Packing happens in a copy of the sources, so the
 * rebuild never touches the dist/ other tests are running.
 */
describe("npm pack → npm install -g", () => {
  let work: string;
  let prefix: string;
  let packed: PackResult;
  let sb: TestSandbox;

  beforeAll(async () => {
    work = tempDir("valar-pack-");
    const src = join(work, "src-copy");
    for (const entry of ["package.json", "package-lock.json", "tsconfig.json", "README.md", "LICENSE", "src", "bin", "scripts", "completions"]) {
      if (existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(src, entry), { recursive: true });
    }
    // esbuild for `prepack`; nothing of node_modules goes into the tarball.
    symlinkSync(join(ROOT, "node_modules"), join(src, "node_modules"), "dir");
    const npmEnv = { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };
    const pack = await execa("npm", ["pack", "--json", "--pack-destination", work], { cwd: src, env: npmEnv });
    packed = (JSON.parse(pack.stdout) as PackResult[])[0]!;

    prefix = join(work, "prefix");
    // Dependencies come from npm's cache when it has them (CI's `npm ci` filled it), else the registry.
    await execa("npm", ["install", "-g", "--prefer-offline", "--prefix", prefix, join(work, packed.filename)], {
      cwd: work,
      env: npmEnv,
    });
    sb = await startSandbox();
  }, 240_000);

  afterAll(async () => {
    await sb?.stop();
  });

  it("ships the licence and, for every package bundled into dist/, its name, version and licence text", () => {
    const notices = readFileSync(join(prefix, "lib", "node_modules", pkg.name, "THIRD_PARTY_NOTICES"), "utf8");
    const meta = JSON.parse(readFileSync(join(ROOT, "dist", "meta.json"), "utf8")) as { inputs: Record<string, unknown> };
    const bundled = new Set(Object.keys(meta.inputs).flatMap((input) => input.match(/^(?:.*\/)?node_modules\/(?:@[^/]+\/)?[^/]+/) ?? []));
    expect(bundled.size).toBeGreaterThan(10);
    for (const dir of bundled) {
      const dep = JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")) as { name: string; version: string; license: string };
      expect(notices, dir).toContain(`\n${dep.name} ${dep.version} (${dep.license})\n`);
    }
    expect(notices).toContain("# Blue Oak Model License"); // tar's licence text, whole
    expect(readFileSync(join(prefix, "lib", "node_modules", pkg.name, "LICENSE"), "utf8")).toMatch(/^MIT License/);
  });

  it("packs only what the installed CLI needs: bin, dist, completions, README, package.json", () => {
    const paths = packed.files.map((f) => f.path);
    expect(packed.filename).toBe(`${pkg.name}-${pkg.version}.tgz`);
    expect(paths).toEqual(
      expect.arrayContaining([
        "package.json",
        "bin/valar.js",
        "dist/cli.js",
        "dist/llhttp_simd.wasm",
        "dist/llhttp.wasm",
        "completions/valar.bash",
        "completions/_valar",
        "completions/valar.fish",
        "LICENSE",
        "THIRD_PARTY_NOTICES",
      ]),
    );
    const unexpected = paths.filter((p) => !/^(bin|dist|completions)\/|^(package\.json|README\.md|LICENSE|THIRD_PARTY_NOTICES)$/.test(p));
    expect(unexpected).toEqual([]);
    expect(paths.filter((p) => /^(src|test|scripts|node_modules)\//.test(p) || /\.test\.|\.ts$/.test(p))).toEqual([]);
    expect(paths).not.toContain("dist/meta.json");
  });

  it("is self-contained: the bundle needs no dependencies and no build step when installed", () => {
    const installed = join(prefix, "lib", "node_modules", pkg.name);
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as Record<string, unknown>;
    expect(manifest.dependencies).toBeUndefined();
    // The bundle is built before packing: nothing runs at install time (npm 11's allowScripts).
    const scripts = Object.keys(manifest.scripts ?? {});
    expect(scripts.filter((s) => /^(pre|post)?(install|prepare)$/.test(s))).toEqual([]);
    expect(existsSync(join(installed, "node_modules"))).toBe(false);
    expect(existsSync(join(installed, "dist", "cli.js"))).toBe(true);
  });

  it("installs a working `valar` command", async () => {
    const valar = join(prefix, "bin", "valar");
    const version = await execa(valar, ["--version"], { env: isolatedEnv(), reject: false });
    expect(version.exitCode).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);

    const build = await submitFiles(sb, { "build.sh": "#!/bin/sh\necho packed\n" }, { skipDeploy: true });
    await waitForBuild(sb, build.id);
    const ls = await execa(valar, ["builds", "ls"], { env: sb.env(), reject: false });
    expect(ls.stderr).toBe("");
    expect(ls.exitCode).toBe(0);
    expect(ls.stdout).toContain(build.id);

    const completion = await execa(valar, ["completion", "bash"], { env: isolatedEnv(), reject: false, stripFinalNewline: false });
    const installed = join(prefix, "lib", "node_modules", pkg.name, "completions", "valar.bash");
    expect(completion.stdout).toBe(readFileSync(installed, "utf8"));
  });
});
