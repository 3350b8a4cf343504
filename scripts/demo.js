#!/usr/bin/env node
// `npm run demo`: a sandbox on a free port with a throwaway data directory, the hello
// example submitted and followed with the real CLI, the builds listed, the sandbox stopped.
// Exits with the CLI's exit code (0 when the build is done).
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchSandbox } from "./sandbox-process.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin", "valar.js");
const example = join(root, "examples", "hello");
const dataDir = mkdtempSync(join(tmpdir(), "valar-demo-"));

function say(line) {
  process.stderr.write(`\n\u25b8 ${line}\n`);
}

/** Starts the sandbox and resolves with its endpoint and token once it prints them. */
function startSandbox() {
  return launchSandbox(bin, ["--port", "0", "--data-dir", dataDir], (stderr) => {
    // The sandbox's own notes, told apart from the CLI's output.
    createInterface({ input: stderr }).on("line", (line) => process.stderr.write(`[sandbox] ${line}\n`));
  });
}

function stopSandbox(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGINT");
  });
}

/** Runs the CLI with the terminal's stdout/stderr; resolves with its exit code. */
function valar(args, env, cwd) {
  process.stderr.write(`$ valar ${args.join(" ")}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ["ignore", "inherit", "inherit"] });
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });
}

async function demo() {
  say("starting a sandbox on a free port");
  const sandbox = await startSandbox();
  const stop = () => stopSandbox(sandbox.child);
  process.once("SIGINT", () => void stop());
  try {
    process.stderr.write(`sandbox endpoint: ${sandbox.endpoint}\n`);
    const env = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith("VALAR_")) delete env[key];
    // The demo must not touch the user's own valar settings.
    Object.assign(env, { VALAR_ENDPOINT: sandbox.endpoint, VALAR_TOKEN: sandbox.token, VALAR_CONFIG_DIR: join(dataDir, "cli-config") });

    // From the example's own directory, so its .valar.yml (project, service, constructor) applies.
    say("submitting examples/hello and following its logs");
    const submitted = await valar(["builds", "submit", ".", "-f"], env, example);
    say("listing the builds");
    const listed = await valar(["builds", "ls"], env, example);
    return submitted !== 0 ? submitted : listed;
  } finally {
    say("stopping the sandbox");
    await stop();
  }
}

demo()
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => rmSync(dataDir, { recursive: true, force: true }));
