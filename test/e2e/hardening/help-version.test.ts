import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, runValar } from "../../helpers/cli.js";

const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

describe("help and version", () => {
  it.each([
    ["builds", "submit"],
    ["builds", "ls"],
    ["deploys", "rollback"],
    ["auth", "status"],
    ["config", "set"],
  ])("valar %s %s --help lists the global options", async (...words) => {
    const r = await runValar([...words, "--help"]);
    expect(r.exitCode).toBe(0);
    for (const option of [/^\s+-p, --project <name>/m, /^\s+-s, --service <name>/m, /^\s+--endpoint <url>/m, /^\s+--debug\b/m]) {
      expect(r.stdout).toMatch(option);
    }
  });

  it.each([[["-v"]], [["version"]]])("valar %s prints the version, as Valar's Go CLI does", async (args) => {
    const r = await runValar(args);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(version);
    expect(r.stderr).toBe("");
  });
});
