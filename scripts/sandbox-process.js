// Shared by the scripts that run `valar sandbox` as a child process (demo, load bench).
import { spawn } from "node:child_process";

/**
 * Starts `node bin/valar.js sandbox …args`; resolves with the child and the endpoint and
 * token it prints. onStderr, when given, receives the sandbox's stderr stream.
 */
export function launchSandbox(bin, args, onStderr) {
  const child = spawn(process.execPath, [bin, "sandbox", ...args], {
    stdio: ["ignore", "pipe", onStderr ? "pipe" : "ignore"],
  });
  if (onStderr) onStderr(child.stderr);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (s) => {
      out += s;
      const endpoint = /^export VALAR_ENDPOINT=(\S+)$/m.exec(out)?.[1];
      const token = /^export VALAR_TOKEN=(\S+)$/m.exec(out)?.[1];
      if (endpoint && token) resolve({ child, endpoint, token });
    });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the sandbox exited early (code ${code})`)));
  });
}
