import { describe, expect, it } from "vitest";
import { execa } from "execa";
import { join } from "node:path";
import { ROOT, isolatedEnv } from "../../helpers/cli.js";

describe("npm run demo (scripts/demo.js)", () => {
  it("builds examples/hello in a throwaway sandbox with the real CLI and exits 0", async () => {
    const r = await execa(process.execPath, [join(ROOT, "scripts", "demo.js")], {
      cwd: ROOT,
      env: isolatedEnv(),
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
  });
});
