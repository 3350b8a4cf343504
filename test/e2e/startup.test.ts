import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { execa } from "execa";
import { BIN, ROOT, isolatedEnv, tempDir } from "../helpers/cli.js";
import { build, envFor, startBuildsServer } from "../helpers/builds-fixtures.js";
import type { FaultServer } from "../helpers/fault-server.js";

/*
 * Which files a run loads, seen from inside Node: a preloaded script writes the CommonJS
 * module cache (every file require() read: the launcher and the chunks of dist/ are CommonJS)
 * to a file at exit, and an ES module hook appends each URL the ES module loader would load
 * — nothing should go that way, and a dependency that did would still be seen.
 */
const dir = tempDir("valar-startup-");
const MAXRSS = fileURLToPath(new URL("../fixtures/report-maxrss.mjs", import.meta.url));
const PRELOAD = join(dir, "preload.cjs");
const HOOKS = join(dir, "hooks.mjs");
const LOAD_LIST = join(dir, "load-list.cjs");
// Read before writing: process.stderr would load the stream modules it looks for.
writeFileSync(LOAD_LIST, `process.on("exit", () => require("node:fs").writeSync(2, process.moduleLoadList.join("\\n") + "\\n"));\n`);
writeFileSync(
  HOOKS,
  `import { appendFileSync } from "node:fs";
let log;
export function initialize(data) { log = data.log; }
export async function load(url, context, next) {
  appendFileSync(log, "esm " + url + "\\n");
  return next(url, context);
}
`,
);
writeFileSync(
  PRELOAD,
  `const { appendFileSync } = require("node:fs");
const { pathToFileURL } = require("node:url");
const log = process.env.VALAR_TEST_MODULE_LOG;
require("node:module").register(${JSON.stringify(pathToFileURL(HOOKS).href)}, { data: { log } });
process.on("exit", () => {
  const files = Object.keys(require.cache).filter((f) => f !== __filename);
  appendFileSync(log, files.map((f) => pathToFileURL(f).href + "\\n").join(""));
});
`,
);

/** A run with Node's list of its own modules it loaded appended to stderr at exit. */
function nodeModulesOf(args: string[], env: Record<string, string | undefined>) {
  return execa("node", ["--require", LOAD_LIST, BIN, ...args], { reject: false, extendEnv: false, env, stdin: "ignore" });
}

let n = 0;
async function loadedModules(
  args: string[],
  env = isolatedEnv(),
  cwd?: string,
): Promise<{ exitCode?: number; modules: string[]; viaEsmLoader: string[] }> {
  const log = join(dir, `modules-${++n}.log`);
  writeFileSync(log, "");
  const r = await execa("node", ["--require", PRELOAD, BIN, ...args], {
    reject: false,
    extendEnv: false,
    env: { ...env, VALAR_TEST_MODULE_LOG: log },
    stdin: "ignore",
    cwd,
  });
  const root = pathToFileURL(ROOT).href;
  const relative = (url: string) => (url.startsWith(root) ? url.slice(root.length) : url);
  const lines = readFileSync(log, "utf8").split("\n").filter(Boolean);
  return {
    exitCode: r.exitCode,
    modules: lines.map((line) => relative(line.replace(/^esm /, ""))),
    viaEsmLoader: lines.filter((line) => line.startsWith("esm ")).map((line) => relative(line.slice(4))),
  };
}

/**
 * The sources bundled into each file of dist/ (esbuild's metafile, written by the build):
 * a loaded chunk stands for every source it holds.
 */
const meta = JSON.parse(readFileSync(join(ROOT, "dist", "meta.json"), "utf8")) as {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
};

function sourcesOf(modules: string[]): string[] {
  return modules.flatMap((m) => Object.keys(meta.outputs[m]?.inputs ?? {}));
}

/** Dependencies and own modules that only the commands which need them may load. */
const HEAVY = [
  /node_modules\/undici\//,
  /node_modules\/yaml\//,
  /^src\/output\/table\.ts$/,
  /node_modules\/ora\//,
  /node_modules\/tar\//,
  /node_modules\/ignore\//,
  /node_modules\/env-paths\//,
  /^src\/api\/client\.ts$/,
  /^src\/settings\/(store|stored|valar-yml)\.ts$/,
  /^src\/sandbox\//,
  /^src\/archive\//,
];

/** The modules of a command that sends requests. */
const NETWORK = [/node_modules\/undici\//, /^src\/api\/client\.ts$/, /^src\/app\/online-context\.ts$/];

const bundledSources = Object.values(meta.outputs).flatMap((o) => Object.keys(o.inputs));

function heavyIn(modules: string[]): string[] {
  return sourcesOf(modules).filter((m) => HEAVY.some((re) => re.test(m)));
}

let server: FaultServer;
beforeAll(async () => {
  server = await startBuildsServer([build("a1b2c3d4-e5f6-7890-abcd-ef1234567890", "done", 1)]);
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("start-up stays lean", () => {
  it("every heavy module the checks look for is in the bundle (a rename cannot make them pass unseen)", () => {
    for (const re of [...HEAVY, ...NETWORK])
      expect(
        bundledSources.some((m) => re.test(m)),
        re.source,
      ).toBe(true);
    expect(bundledSources).toContain("src/cli.ts");
  });

  it.each([[["--version"]], [["--help"]], [["builds", "ls", "--help"]], [["builds", "--help"]]])(
    "%j loads no HTTP, config, YAML, table, spinner or archive module",
    async (args) => {
      const { exitCode, modules } = await loadedModules(args);
      expect(exitCode).toBe(0);
      // the hook did see the CLI itself, so an empty list cannot pass by accident
      expect(modules).toContain("dist/cli.js");
      expect(modules).toContain("bin/valar.js");
      expect(sourcesOf(modules)).toContain("src/cli.ts");
      expect(heavyIn(modules)).toEqual([]);
    },
  );

  it.each([[["--version"]], [["builds", "ls", "-q"]], [["builds", "inspect", "a1b2"]]])(
    "%j loads no file through Node's ES module loader (it would cost every run its set-up)",
    async (args) => {
      const { exitCode, modules, viaEsmLoader } = await loadedModules(args, envFor(server));
      expect(exitCode).toBe(0);
      expect(modules.filter((m) => m.startsWith("dist/")).length).toBeGreaterThan(1);
      expect(viaEsmLoader).toEqual([]);
    },
  );

  it("a usage error does not load them either", async () => {
    const { exitCode, modules } = await loadedModules(["builds", "ls", "-n", "x"]);
    expect(exitCode).toBe(2);
    expect(heavyIn(modules)).toEqual([]);
  });

  it("the check sees heavy modules when a command really uses them", async () => {
    const { exitCode, modules } = await loadedModules(["builds", "ls", "-q"], envFor(server));
    expect(exitCode).toBe(0);
    expect(sourcesOf(modules).some((m) => /node_modules\/undici\//.test(m))).toBe(true);
    expect(sourcesOf(modules)).toContain("src/api/client.ts");
  });

  it.each([[["completion", "bash"]], [["config", "list"]], [["help", "builds", "ls"]]])(
    "%j sends no request, so it loads no HTTP code",
    async (args) => {
      const { exitCode, modules } = await loadedModules(args);
      expect(exitCode).toBe(0);
      const sources = sourcesOf(modules);
      expect(sources.filter((m) => NETWORK.some((re) => re.test(m)))).toEqual([]);
    },
  );

  it("the YAML parser is loaded only where there is YAML to read", async () => {
    const yaml = (modules: string[]) => sourcesOf(modules).some((m) => /node_modules\/yaml\//.test(m));
    const bare = await loadedModules(["builds", "ls", "-q"], envFor(server));
    expect(bare.exitCode).toBe(0);
    expect(yaml(bare.modules)).toBe(false);
    const project = tempDir("valar-yml-");
    writeFileSync(join(project, ".valar.yml"), "project: p\nservice: s\n");
    const withYml = await loadedModules(["builds", "ls", "-q"], envFor(server), project);
    expect(withYml.exitCode).toBe(0);
    expect(yaml(withYml.modules)).toBe(true);
  });

  it("the proxy agent (with its SOCKS5 client) is loaded only when a proxy is set", async () => {
    const proxyCode = (modules: string[]) => sourcesOf(modules).some((m) => /undici\/lib\/dispatcher\/(env-http-)?proxy-agent\.js$/.test(m));
    const direct = await loadedModules(["builds", "ls", "-q"], envFor(server));
    expect(direct.exitCode).toBe(0);
    expect(proxyCode(direct.modules)).toBe(false);
    // NO_PROXY lets the request itself bypass it: the agent is still the proxy agent.
    const proxied = await loadedModules(["builds", "ls", "-q"], { ...envFor(server), HTTPS_PROXY: "http://127.0.0.1:9", NO_PROXY: "127.0.0.1" });
    expect(proxied.exitCode).toBe(0);
    expect(proxyCode(proxied.modules)).toBe(true);
  });

  it("the CLI ships as a bundle: a command loads a handful of files, not hundreds", async () => {
    const { exitCode, modules } = await loadedModules(["builds", "ls", "-q"], envFor(server));
    expect(exitCode).toBe(0);
    expect(modules.filter((m) => m.includes("node_modules/"))).toEqual([]);
    // Before the bundle: ~134 undici, 103 ajv and 53 semver files, among others.
    expect(modules.filter((m) => m.startsWith("dist/")).length).toBeLessThanOrEqual(30);
  });

  it("undici's parser is read from dist/*.wasm, and its HTTP/2 and FormData code are stand-ins (scripts/build.js)", async () => {
    // The SIMD build (the one Node uses) and the fallback, which UNDICI_NO_WASM_SIMD forces.
    for (const env of [envFor(server), { ...envFor(server), UNDICI_NO_WASM_SIMD: "1" }]) {
      const r = await execa("node", [BIN, "builds", "ls", "-q"], { reject: false, extendEnv: false, env, stdin: "ignore" });
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      expect(r.stdout).not.toBe("");
    }
    // Without the files a request cannot parse its answer: the chunk holds no copy of its own.
    const copy = tempDir("valar-no-wasm-");
    for (const part of ["bin", "dist"]) cpSync(join(ROOT, part), join(copy, part), { recursive: true });
    for (const wasm of readdirSync(join(copy, "dist")).filter((f) => f.endsWith(".wasm"))) rmSync(join(copy, "dist", wasm));
    const without = await execa("node", [join(copy, "bin", "valar.js"), "builds", "ls", "-q", "--debug"], {
      reject: false,
      extendEnv: false,
      env: envFor(server),
      stdin: "ignore",
    });
    expect(without.exitCode).not.toBe(0);
    expect(without.stderr).toMatch(/llhttp(_simd)?\.wasm/);
    rmSync(copy, { recursive: true, force: true });
    const chunks = readdirSync(join(ROOT, "dist", "chunks"))
      .map((f) => readFileSync(join(ROOT, "dist", "chunks", f), "utf8"))
      .join("\n");
    expect(chunks).toContain("valar reached undici's HTTP/2 client");
    expect(chunks).toContain("valar reached undici's FormData body encoder");
  });

  it("nothing loads Node's own bundled undici (the one behind global fetch)", async () => {
    const r = await nodeModulesOf(["builds", "ls", "-q"], envFor(server));
    expect(r.exitCode).toBe(0);
    // The probe itself works: it lists Node's internal modules, which always include some.
    expect(r.stderr).toContain("NativeModule");
    expect(r.stderr).not.toContain("internal/deps/undici");
  });

  // tty also stays unloaded because chalk's own colour detection is left out of the bundle,
  // and child_process because commander gets it only on first use (scripts/build.js).
  it.each([[["--version"]], [["--help"]], [["builds", "ls", "--help"]], [["builds", "ls", "-n", "x"]]])(
    "%j writes without Node's stream: net, tty, child_process and the stream modules stay unloaded",
    async (args) => {
      const r = await nodeModulesOf(args, isolatedEnv());
      expect(r.exitCode).toBe(args.includes("x") ? 2 : 0);
      expect(r.stdout + r.stderr).toMatch(/\d+\.\d+\.\d+|Usage:|error:/);
      expect(r.stderr).toContain("NativeModule");
      expect(r.stderr).not.toMatch(/NativeModule (net|tty|child_process|internal\/streams\/writable)\n/);
    },
  );

  it("builds ls peaks under 70 MiB: V8 compiles undici's WebAssembly parser with its baseline tier only", async () => {
    // Without --liftoff-only (src/api/undici.ts) a short request peaked at ~88 MiB, with it ~53.
    const rssFile = join(dir, "maxrss");
    const r = await execa("node", [BIN, "builds", "ls", "-q"], {
      reject: false,
      extendEnv: false,
      env: { ...envFor(server), NODE_OPTIONS: `--import=${pathToFileURL(MAXRSS).href}`, VALAR_TEST_MAXRSS_FILE: rssFile },
      stdin: "ignore",
    });
    expect(r.exitCode).toBe(0);
    expect(Number(readFileSync(rssFile, "utf8")) / 1024).toBeLessThan(70);
  });

  it("the stream check sees them when a command uses the network", async () => {
    const r = await nodeModulesOf(["builds", "ls", "-q"], envFor(server));
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/NativeModule net\n/);
  });
});
