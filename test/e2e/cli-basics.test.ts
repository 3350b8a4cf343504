import { describe, expect, it } from "vitest";
import { runValar } from "../helpers/cli.js";

describe("cli basics", () => {
  it("prints the version from package.json", async () => {
    const r = await runValar(["--version"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("exits 2 with a hint on an unknown flag", async () => {
    const r = await runValar(["builds", "ls", "--bogus"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("error: unknown option '--bogus'");
    expect(r.stderr).toMatch(/^hint: /m);
    expect(r.stdout).toBe("");
  });

  it("exits 2 on an unknown command", async () => {
    const r = await runValar(["frobnicate"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });
});
