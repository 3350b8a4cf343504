import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * vitest's globalSetup: the whole run gets one temporary directory of its own, as TMPDIR,
 * inherited by the test workers and by every CLI, sandbox and build they start. Whatever
 * a test (or a process it killed) leaves in it goes with it when the run ends.
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), "valar-tests-"));
  // Like /tmp itself: tests that run the CLI as another user (nobody) must reach their
  // directories in it, and may make their own.
  chmodSync(root, 0o1777);
  const before = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return () => {
    process.env.TMPDIR = before;
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  };
}
