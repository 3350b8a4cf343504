import { describe, expect, it } from "vitest";
import { execa } from "execa";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT, isolatedEnv, tempDir } from "../../helpers/cli.js";

describe("npm run demo (scripts/demo.js)", () => {
  it("builds examples/hello in a throwaway sandbox with the real CLI and exits 0, leaving no temporary directory", async () => {
    const tmp = tempDir("valar-demo-tmp-");
    const r = await execa(process.execPath, [join(ROOT, "scripts", "demo.js")], {
      cwd: ROOT,
      env: isolatedEnv({ TMPDIR: tmp }),
      extendEnv: false,
      reject: false,
      stdin: "ignore",
      timeout: 60_000,
    });
    expect(r.exitCode).toBe(0);
    const id = /^([0-9a-f-]{36})$/m.exec(r.stdout)?.[1];
    expect(id).toBeDefined();
    // The example's own lines, streamed by `builds submit -f`…
    expect(r.stdout).toContain("step: compiling");
    expect(r.stdout).toContain("done: out/index.html");
    // …then `builds ls` shows the build done.
    expect(r.stdout).toMatch(new RegExp(`^${id}\\s+done\\b`, "m"));
    expect(r.stderr).toContain("[sandbox] sandbox stopped");
    // Its data directory and the sandbox's work root (valar-sandbox-<hash>) went with it.
    expect(readdirSync(tmp)).toEqual([]);
  });
});
