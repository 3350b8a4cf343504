#!/usr/bin/env node
// Launcher of the bundled CLI (dist/, built by `npm run build`; shipped in the package).
// CommonJS (bin/package.json), like dist/: an ES module here would cost every run Node's ES
// module loader. main resolves once the output is out; exiting then, not when every handle
// (keep-alive sockets, timers) has wound down, is what makes a short command short.
"use strict";

// Under --debug a stack trace names src/… files and lines: Node reads dist's source maps
// only for what loads after this, and only when asked (reading them would cost every run).
if (require("../dist/debug.js").debugRequested(process.argv, process.env)) process.setSourceMapsEnabled(true);

require("../dist/cli.js")
  .main(process.argv)
  .then((code) => process.exit(code));
