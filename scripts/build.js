#!/usr/bin/env node
// The shipped build: one esbuild bundle of src/cli.ts with code splitting. The command tree
// is the entry chunk; each command's implementation (an `import("./x.run.js")` at its action)
// and what only it needs land in chunks loaded when the command runs. Dependencies are
// bundled, so the package installs without a build step or runtime dependencies.
import { build } from "esbuild";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Node built-ins that a bundled dependency requires when it loads but uses only on paths
 * valar never takes: commander spawns executable subcommands (valar has none) with
 * child_process; undici's HTTP/2 client (never enabled here) needs http2. Loading them
 * costs a short command more than the rest of its start-up, so the dependency gets a
 * stand-in that loads the real module on first use. http2's constants are read when
 * undici loads: they are protocol numbers and header names, so the stand-in carries them.
 */
const LAZY_BUILTINS = {
  child_process: { importer: /node_modules[\\/]commander[\\/]/, eager: {} },
  http2: { importer: /node_modules[\\/]undici[\\/]/, eager: { constants: (await import("node:http2")).constants } },
};

const lazyBuiltins = {
  name: "lazy-builtins",
  setup(b) {
    b.onResolve({ filter: /^(node:)?(child_process|http2)$/ }, (args) => {
      const name = args.path.replace(/^node:/, "");
      if (!LAZY_BUILTINS[name].importer.test(args.importer)) return undefined;
      return { path: name, namespace: "lazy-builtin" };
    });
    b.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, (args) => ({
      loader: "js",
      contents: `let real;
const eager = ${JSON.stringify(LAZY_BUILTINS[args.path].eager)};
const load = () => (real ??= require("node:${args.path}"));
module.exports = new Proxy(eager, {
  get: (target, key) => (key in target ? target[key] : load()[key]),
  has: (_, key) => key in load(),
});`,
    }));
  },
};

// Bundled CommonJS dependencies call require() for Node built-ins: give the ESM chunks one.
const BANNER = 'import { createRequire as __valarCreateRequire } from "node:module"; const require = __valarCreateRequire(import.meta.url);';

/**
 * valar decides colour itself (src/output/color.ts: TTY, NO_COLOR, FORCE_COLOR, TERM=dumb)
 * and gives chalk the level (`new Chalk({ level })`). chalk's own detection, which imports
 * tty and os and probes the terminal when it loads, would only slow every start-up: its
 * detection-free variant (the one chalk ships for browsers) takes its place.
 */
const chalkWithoutDetection = {
  name: "chalk-without-detection",
  setup(b) {
    b.onResolve({ filter: /^#supports-color$/ }, (args) => ({
      path: fileURLToPath(new URL("../node_modules/chalk/source/vendor/supports-color/browser.js", import.meta.url)),
    }));
  },
};

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { cli: "src/cli.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.18",
  chunkNames: "chunks/[name]-[hash]",
  metafile: true,
  legalComments: "none",
  minify: process.env.VALAR_NO_MINIFY !== "1",
  define: { VALAR_VERSION: JSON.stringify(pkg.version) },
  banner: { js: BANNER },
  plugins: [lazyBuiltins, chalkWithoutDetection],
  logLevel: "warning",
});
// Only chunks that call require() keep the banner: node:module is one more built-in for
// every command to load (the entry chunk, for one, needs none).
for (const file of Object.keys(result.metafile.outputs)) {
  const path = join(root, file);
  const code = readFileSync(path, "utf8");
  const body = code.startsWith(BANNER) ? code.slice(BANNER.length) : code;
  if (body !== code && !/\brequire\b/.test(body)) writeFileSync(path, body);
}
// Which sources each output file holds: the start-up test reads it to prove --version and
// --help load no HTTP, config, table or spinner code.
writeFileSync(new URL("../dist/meta.json", import.meta.url), JSON.stringify(result.metafile));
