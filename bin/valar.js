#!/usr/bin/env node
// Thin launcher: the CLI itself is the compiled dist/cli.js (built by `npm install` via `prepare`).
import { main } from "../dist/cli.js";

main(process.argv).then((code) => {
  process.exitCode = code;
});
