import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { BIN, ROOT, isolatedEnv, runValar } from "../helpers/cli.js";

const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

describe("cli basics", () => {
  it.each([["--version"], ["-V"]])("%s prints the version from package.json on stdout", async (flag) => {
    const r = await runValar([flag]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(version);
    expect(r.stderr).toBe("");
  });

  it.each([[["--help"]], [["-h"]], [["help"]]])("%j prints the help on stdout and exits 0", async (args) => {
    const r = await runValar(args);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^Usage: valar \[options\] \[command\]/);
    expect(r.stdout).toContain("builds");
    expect(r.stderr).toBe("");
  });

  it.each([[["builds", "ls", "--help"]], [["builds", "help", "ls"]]])("%j prints the command's help with examples on stdout", async (args) => {
    const r = await runValar(args);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^Usage: valar builds (ls|list)\|?(ls|list)? \[options\] \[prefix\]/);
    expect(r.stdout).toContain("--limit");
    expect(r.stdout).toContain("$ valar builds ls");
  });

  // Like `gh`: a bare command group is a request for orientation, not a mistake: help
  // asked for goes to stdout (so `valar | less` shows it) and exits 0.
  it.each([[[]], [["builds"]], [["auth"]], [["build"]]])("%j without a subcommand shows the help on stdout and exits 0", async (args) => {
    const r = await runValar(args);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^Usage: valar/);
    expect(r.stdout).toMatch(/commands:/i);
  });

  // Short commands write to the descriptor directly (src/output/process-output.ts): a
  // failed write is still an error, never a silent success.
  it.each([[["--version"]], [["--help"]]])("%j into a full disk (/dev/full) says so and exits 1", async (args) => {
    // The shell opens /dev/full for valar (execa would pipe, then write the file itself).
    const r = await execa("sh", ["-c", `exec node "${BIN}" ${args.join(" ")} >/dev/full`], { reject: false, extendEnv: false, env: isolatedEnv() });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot write to stdout: ENOSPC/);
    expect(r.stderr.split("\n")).toHaveLength(1);
  });

  it("exits 2 with a hint on an unknown flag", async () => {
    const r = await runValar(["builds", "ls", "--bogus"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("error: unknown option '--bogus'");
    expect(r.stderr).toMatch(/^hint: see `valar builds ls --help`$/m);
    expect(r.stdout).toBe("");
  });

  it("exits 2 on an unknown command", async () => {
    const r = await runValar(["frobnicate"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
    expect(r.stderr).not.toMatch(/did you mean/i);
    expect(r.stderr).toMatch(/^hint: see `valar --help`$/m);
  });

  it.each([
    ["logs", "valar builds logs"],
    ["ls", "valar builds ls"],
    ["submit", "valar builds submit"],
    ["inspect", "valar builds inspect"],
    ["watch", "valar builds watch"],
    ["status", "valar builds status"],
    ["abort", "valar builds abort"],
    ["login", "valar auth login"],
    ["logout", "valar auth logout"],
    ["rollback", "valar deploys rollback"],
    ["buidls", "valar builds"],
    ["bulids", "valar builds"],
    ["deplyos", "valar deploys"],
  ])("valar %s: exit 2 suggesting %s", async (word, meant) => {
    const r = await runValar([word, "x"]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")[0]).toBe(`error: unknown command '${word}' (did you mean "${meant}"?)`);
  });

  it("takes build as builds, as Valar's Go CLI users type it", async () => {
    const r = await runValar(["build", "ls", "--help"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^Usage: valar builds ls/);
  });

  it("exits 2 on an unknown subcommand, suggesting the near one", async () => {
    const r = await runValar(["builds", "lst"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("unknown command 'lst'");
    expect(r.stderr).toMatch(/Did you mean .*\bls\b/);
    expect(r.stderr).toMatch(/^hint: see `valar builds --help`$/m);
  });
});
