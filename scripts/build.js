#!/usr/bin/env node
// The shipped build: one esbuild bundle of src/cli.ts with code splitting. The command tree
// is the entry chunk; each command's implementation (an `import("./x.run.js")` at its action)
// and what only it needs land in chunks loaded when the command runs. Dependencies are
// bundled, so the package installs without a build step or runtime dependencies. The code is
// not minified (minifying bought nothing measurable at start-up) and ships with source maps
// (dist/**/*.js.map, mappings only): under `--debug` the launcher turns Node's source-map
// support on, so a stack trace names src/… files and lines. Without `--debug` the maps are
// never read.
//
// Each step below that is not plain bundling was measured (CPU time, interleaved runs,
// medians; see README "Development") and stays because it buys at least 5 % of a target;
// each has a test that fails when it stops working. Any esbuild warning fails the build.
import { build } from "esbuild";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeNotices } from "./notices.js";

/**
 * commander requires child_process when it loads, for executable subcommands (valar has
 * none). Loading it cost `--version` 4–9 % of its CPU time; commander gets a stand-in that
 * loads the real module on first use. Guarded by test/e2e/startup.test.ts ("writes without
 * Node's stream…": child_process stays unloaded).
 */
const lazyChildProcess = {
  name: "lazy-child-process",
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: "child_process", namespace: "lazy-builtin" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, () => ({
      loader: "js",
      contents: `let real;
const load = () => (real ??= require("node:child_process"));
module.exports = new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });`,
    }));
  },
};

/**
 * valar decides colour itself (src/output/color.ts: TTY, NO_COLOR, FORCE_COLOR, TERM=dumb)
 * and gives chalk the level (`new Chalk({ level })`). chalk's own detection imports tty and
 * os and probes the terminal when it loads (5–6 % of `--version`'s CPU time, 2 MiB): its
 * detection-free variant, the one chalk's package.json maps `#supports-color` to for
 * browsers, takes its place. Guarded by test/e2e/startup.test.ts (tty stays unloaded).
 */
const chalkWithoutDetection = {
  name: "chalk-without-detection",
  setup(b) {
    b.onResolve({ filter: /^#supports-color$/ }, () => ({
      path: fileURLToPath(new URL("../node_modules/chalk/source/vendor/supports-color/browser.js", import.meta.url)),
    }));
  },
};

/**
 * undici's parser is WebAssembly that undici's modules hold as base64 text (two builds,
 * ~72 KB each: SIMD and a fallback): it ships as dist/*.wasm instead, read when the first
 * connection opens. Its HTTP/2 client (valar never offers h2 in ALPN) and its FormData body
 * encoder (valar sends none) are stand-ins that say so if ever reached. Reading a big log
 * into a pipe peaked ~10 MiB lower with them (of the 80 MiB goal); `builds ls` took ~4 %
 * less CPU time. Guarded by test/e2e/startup.test.ts: without the dist/*.wasm files a
 * request fails, and the stand-ins' messages are in the bundle.
 */
const WASM_ASSETS = { "llhttp_simd-wasm.js": "llhttp_simd.wasm", "llhttp-wasm.js": "llhttp.wasm" };
const UNREACHED = {
  "./client-h2.js": "undici's HTTP/2 client (valar does not negotiate HTTP/2)",
  "../web/fetch/body.js": "undici's FormData body encoder (valar sends no FormData)",
};
const undiciTrim = {
  name: "undici-trim",
  setup(b) {
    const fromUndici = /node_modules[\\/]undici[\\/]lib[\\/]dispatcher[\\/]/;
    b.onResolve({ filter: /^\.\.\/llhttp\/llhttp(_simd)?-wasm\.js$/ }, (args) =>
      fromUndici.test(args.importer) ? { path: args.path.split("/").pop(), namespace: "wasm-asset" } : undefined,
    );
    // Every output file becomes CommonJS (below), so __dirname is the chunk's directory.
    b.onLoad({ filter: /.*/, namespace: "wasm-asset" }, (args) => ({
      loader: "js",
      contents: `module.exports = require("node:fs").readFileSync(require("node:path").join(__dirname, "..", ${JSON.stringify(WASM_ASSETS[args.path])}));`,
    }));
    b.onResolve({ filter: /^(\.\/client-h2|\.\.\/web\/fetch\/body)\.js$/ }, (args) =>
      fromUndici.test(args.importer) ? { path: args.path, namespace: "unreached" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "unreached" }, (args) => ({
      loader: "js",
      contents: `const unreached = () => { throw new Error(${JSON.stringify(`valar reached ${UNREACHED[args.path]}`)}); };
module.exports = Object.assign(unreached, { extractBody: unreached });`,
    }));
  },
};

/** The build's warnings are errors: a dependency's `import.meta` would otherwise become `{}` unseen. */
function failOnWarnings(what, warnings) {
  if (warnings.length > 0) throw new Error(`${what}: ${warnings.length} esbuild warning(s), see above`);
}

const root = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  // debug: what the launcher asks before loading the CLI (src/app/debug.ts).
  entryPoints: { cli: "src/cli.ts", debug: "src/app/debug.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.18",
  chunkNames: "chunks/[name]-[hash]",
  metafile: true,
  // The notices ship whole in THIRD_PARTY_NOTICES (below).
  legalComments: "none",
  // Mappings without the sources' text: enough for file names and lines, a fraction of the size.
  sourcemap: "linked",
  sourcesContent: false,
  define: { VALAR_VERSION: JSON.stringify(pkg.version) },
  plugins: [lazyChildProcess, chalkWithoutDetection, undiciTrim],
  logLevel: "warning",
});
failOnWarnings("bundle", result.warnings);
// The chunks ship as CommonJS. esbuild splits only ES modules, so it bundles to ES modules
// and each file is then converted: its imports become require() calls, and an import() (a
// command's chunk) a require() behind a resolved promise. An ES module costs every run Node's
// ES module loader: 12 % of `--version`'s CPU time and 9 % of `builds ls`'s. Guarded by
// test/e2e/startup.test.ts ("loads no file through Node's ES module loader"). esbuild
// refuses a top-level await here, which CommonJS cannot have.
// dist/ sits in a package whose .js files are ES modules ("type": "module", for the sources
// and scripts): this marks the built files as CommonJS. It must be there before the pass
// below, or esbuild gives the chunks Node's ES-module interop, under which a default import
// of another chunk (ora's, say) is that chunk's whole exports object.
writeFileSync(new URL("../dist/package.json", import.meta.url), `${JSON.stringify({ type: "commonjs" })}\n`);
// A second esbuild pass (not `transform`, which cannot read the first pass's source maps)
// converts the files in place; it follows each file's map back to src/.
const outputs = Object.keys(result.metafile.outputs).filter((file) => file.endsWith(".js"));
const cjs = await build({
  absWorkingDir: root,
  entryPoints: outputs,
  outdir: "dist",
  outbase: "dist",
  allowOverwrite: true,
  bundle: false,
  format: "cjs",
  platform: "node",
  target: "node20.18",
  supported: { "dynamic-import": false },
  legalComments: "none",
  sourcemap: "linked",
  sourcesContent: false,
  logLevel: "warning",
});
failOnWarnings("CommonJS pass", cjs.warnings);
// The parser's WebAssembly, as undici's modules hold it (base64), written out as binary.
const requireFromHere = createRequire(import.meta.url);
for (const [module, asset] of Object.entries(WASM_ASSETS)) {
  writeFileSync(join(root, "dist", asset), requireFromHere(`undici/lib/llhttp/${module}`));
}
// The licences of what the bundle holds, shipped beside it (package.json "files").
writeNotices(result.metafile, root, join(root, "THIRD_PARTY_NOTICES"));
// Which sources each output file holds: the start-up test reads it to prove --version and
// --help load no HTTP, config, table or spinner code.
writeFileSync(new URL("../dist/meta.json", import.meta.url), JSON.stringify(result.metafile));
