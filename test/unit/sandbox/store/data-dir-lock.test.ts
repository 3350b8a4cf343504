import { describe, expect, it } from "vitest";
import { readlinkSync, symlinkSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { tempDir } from "../../../helpers/cli.js";
import { lockDataDir } from "../../../../src/sandbox/store/data-dir-lock.js";

/** A pid no process has any more. */
function deadPid(): number {
  return Number(spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" }).stdout.trim());
}

describe("data dir lock", () => {
  it("takes over a stale lock for one claimant only, even when both get to it at once", async () => {
    const dir = tempDir("valar-lock-");
    symlinkSync(String(deadPid()), join(dir, "sandbox.pid"));
    const results = await Promise.allSettled([lockDataDir(dir), lockDataDir(dir)]);
    const won = results.filter((r) => r.status === "fulfilled");
    expect(won).toHaveLength(1);
    const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(lost.reason).toMatchObject({ name: "DataDirBusyError", message: expect.stringMatching(/^another sandbox( \(pid \d+\))? is using /) });
    expect(readlinkSync(join(dir, "sandbox.pid"))).toBe(String(process.pid));
    (won[0] as PromiseFulfilledResult<() => void>).value();
    // Let go: the next one gets it.
    (await lockDataDir(dir))();
  });
});
