import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { runValar, tempDir } from "../../helpers/cli.js";
import { stall } from "../../helpers/fault-server.js";
import { BUILDS_PATH } from "../../helpers/builds-fixtures.js";
import { startWaitServer, type WaitServer } from "../../fixtures/wait-server.js";

/**
 * The first SIGTERM ends the process (143) even when a call in Node's thread pool never
 * returns: here an open() of a FIFO named .valar.yml, which blocks until a writer comes.
 * (Should settings files be opened without blocking, the command instead waits on a
 * stalled server, and the SIGTERM ends that: the test holds either way.)
 */

let srv: WaitServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

it("SIGTERM ends a command stuck in the thread pool, with status 143 and no stack trace", async () => {
  srv = await startWaitServer("running");
  srv.server.on(`GET ${BUILDS_PATH}`, stall);
  const dir = tempDir("valar-fifo-");
  execFileSync("mkfifo", [join(dir, ".valar.yml")]);
  // No SIGKILL from execa after the SIGTERM: the CLI must end by itself.
  const child = runValar(["builds", "ls"], { env: srv.env({ HOME: dir }), cwd: dir, timeout: 20_000, forceKillAfterDelay: false });
  // Time to reach the FIFO (or the stalled server); no output to wait for in either case.
  await new Promise((r) => setTimeout(r, 1000));
  child.kill("SIGTERM");
  const r = await child;
  // A process ended by the re-raised signal is what a shell reports as 143.
  expect(r.exitCode ?? 128 + 15).toBe(143);
  expect(r.isTerminated ? r.signal : "SIGTERM").toBe("SIGTERM");
  expect(r.timedOut).toBe(false);
  expect(r.stderr).not.toMatch(/^\s+at /m);
});
