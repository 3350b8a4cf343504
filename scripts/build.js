#!/usr/bin/env node
// The shipped build: one esbuild bundle of src/cli.ts with code splitting. The command tree
// is the entry chunk; each command's implementation (an `import("./x.run.js")` at its action)
// and what only it needs land in chunks loaded when the command runs. Dependencies are
// bundled, so the package installs without a build step or runtime dependencies.
//
// The chunks ship as CommonJS. esbuild splits only ES modules, so it bundles to ES modules and
// each file is then converted. An ES module entry costs every run Node's ES module loader: a
// single-file build of the command tree measured --version at 1.35x `node -e 0` as an ES
// module and 1.22x as CommonJS, the same code.
import { build, transform } from "esbuild";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeNotices } from "./notices.js";

/**
 * Node built-ins that a bundled dependency requires when it loads but uses only on paths
 * valar never takes: commander spawns executable subcommands (valar has none) with
 * child_process. Loading it costs a short command more than the rest of its start-up, so
 * commander gets a stand-in that loads the real module on first use.
 */
const LAZY_BUILTINS = {
  child_process: { importer: /node_modules[\\/]commander[\\/]/, eager: {} },
};

const lazyBuiltins = {
  name: "lazy-builtins",
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) => {
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

/**
 * undici's parts that valar's requests never reach, and its parser's WebAssembly. Every
 * command that sends a request compiles the chunk undici is in, so what it holds costs each
 * of them: the parser as base64 text (two builds, ~72 KB each: SIMD and a fallback) is read
 * from dist/ as binary instead, when the first connection opens. The HTTP/2 client (valar
 * never offers h2 in ALPN, so no connection uses it) and the fetch body encoder (only for
 * FormData bodies, which valar never sends) are stand-ins that say so if ever reached.
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
    b.onLoad({ filter: /.*/, namespace: "wasm-asset" }, (args) => ({
      loader: "js",
      contents: `module.exports = __valarAsset(${JSON.stringify(WASM_ASSETS[args.path])});`,
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

// A file shipped beside the chunks (dist/), read when a bundled module asks for it. Every output
// file becomes CommonJS (below), so __dirname is the file's own directory.
const BANNER = 'const __valarAsset = (name) => require("node:fs").readFileSync(require("node:path").join(__dirname, "..", name));';

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
  plugins: [lazyBuiltins, chalkWithoutDetection, undiciTrim],
  logLevel: "warning",
});
for (const file of Object.keys(result.metafile.outputs)) {
  const path = join(root, file);
  const code = readFileSync(path, "utf8");
  // Only chunks that read an asset keep the banner: it is code to compile.
  const body = code.startsWith(BANNER) ? code.slice(BANNER.length) : code;
  const used = body !== code && /\b__valarAsset\b/.test(body);
  if (used && !file.startsWith("dist/chunks/")) throw new Error(`${file} reads an asset: the banner finds assets from dist/chunks/`);
  // Each file to CommonJS: its imports become require() calls, and an import() (a command's
  // chunk, loaded when it runs) a require() behind a resolved promise, so no file loads
  // through the ES module loader. esbuild refuses a top-level await here, which CommonJS
  // cannot have.
  const cjs = await transform(used ? code : body, {
    format: "cjs",
    platform: "node",
    target: "node20.18",
    supported: { "dynamic-import": false },
    minify: process.env.VALAR_NO_MINIFY !== "1",
    legalComments: "none",
    logLevel: "warning",
  });
  writeFileSync(path, cjs.code);
}
// dist/ sits in a package whose .js files are ES modules ("type": "module", for the sources
// and scripts): this marks the built files as CommonJS.
writeFileSync(new URL("../dist/package.json", import.meta.url), `${JSON.stringify({ type: "commonjs" })}\n`);
// The parser's WebAssembly, as undici's modules hold it (base64), written out as binary.
const requireFromHere = createRequire(import.meta.url);
for (const [module, asset] of Object.entries(WASM_ASSETS)) {
  writeFileSync(new URL(`../dist/${asset}`, import.meta.url), requireFromHere(`undici/lib/llhttp/${module}`));
}
// The licences of what the bundle holds, shipped beside it (package.json "files").
writeNotices(result.metafile, root, join(root, "THIRD_PARTY_NOTICES"));
// Which sources each output file holds: the start-up test reads it to prove --version and
// --help load no HTTP, config, table or spinner code.
writeFileSync(new URL("../dist/meta.json", import.meta.url), JSON.stringify(result.metafile));
