#!/usr/bin/env node
// Launcher of the bundled CLI (dist/, built by `npm run build`; shipped in the package).
// CommonJS (bin/package.json), like dist/: an ES module here would cost every run Node's ES
// module loader.
"use strict";

/** Resolves once what was written to the stream has been handed to the system (or it failed). */
function drained(stream) {
  return new Promise((resolve) => {
    if (stream.writableLength === 0 || stream.destroyed) return resolve();
    stream.once("drain", resolve).once("error", resolve).once("close", resolve);
  });
}

require("../dist/cli.js")
  .main(process.argv)
  .then(async (code) => {
    // Exit as soon as the output is out, not when every handle (keep-alive sockets, timers,
    // a tier-up compile) has wound down on its own.
    await Promise.all([drained(process.stdout), drained(process.stderr)]);
    process.exit(code);
  });
