import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Apart from cli.ts (execa) because every test file loads it (test/helpers/temp-cleanup.ts):
// the unit and in-process tests pay for nothing they do not use.
const created: string[] = [];

/** A fresh temporary directory, removed when the test file ends (test/helpers/temp-cleanup.ts). */
export function tempDir(prefix = "valar-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every directory tempDir made so far. */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}
