#!/usr/bin/env node
// Regenerates completions/ from the built CLI (`npm run completions`); the completion e2e
// test fails when these files drift from what `valar completion SHELL` prints.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const files = { bash: "completions/valar.bash", zsh: "completions/_valar", fish: "completions/valar.fish" };
for (const [shell, file] of Object.entries(files)) {
  const script = execFileSync(process.execPath, ["bin/valar.js", "completion", shell], { cwd: root, encoding: "utf8" });
  writeFileSync(new URL(`../${file}`, import.meta.url), script);
  console.log(`wrote ${file}`);
}
