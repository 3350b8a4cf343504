import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli.js";
import { ExitCode } from "../../src/errors.js";
import { createRuntime, systemClock } from "../../src/app/runtime.js";
import { ioDouble } from "../helpers/io-double.js";
import { valar } from "../helpers/run-in-process.js";

/** The real command tree, to enumerate every command and check examples against it. */
function tree(): Command {
  const { io } = ioDouble();
  const rt = createRuntime(
    { io, env: {}, cwd: process.cwd(), clock: systemClock, signal: new AbortController().signal, version: "0.0.0" },
    { exitCode: 0 },
  );
  return buildProgram(rt);
}

const root = tree();
const isHidden = (c: Command) => (c as unknown as { _hidden: boolean })._hidden;

function commandPaths(cmd: Command, path: string[] = []): string[][] {
  return [path, ...cmd.commands.filter((c) => !isHidden(c)).flatMap((c) => commandPaths(c, [...path, c.name()]))];
}

function findCommand(words: string[]): { cmd: Command; rest: string[] } {
  let cmd = root;
  let i = 0;
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (w.startsWith("-")) break;
    const next = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
    if (!next) break;
    cmd = next;
  }
  return { cmd, rest: words.slice(i) };
}

/** The words after the first `valar` of an example line, e.g. in `id=$(valar builds submit …)`. */
function exampleWords(line: string): string[] {
  const m = /(?:^|[\s(|;&])valar((?:\s+(?:"[^"]*"|'[^']*'|[^\s|;&)>#"']+))*)/.exec(line.replace(/^\s*\$ /, ""));
  return m ? [...m[1]!.matchAll(/"[^"]*"|'[^']*'|\S+/g)].map((x) => x[0]) : [];
}

const paths = commandPaths(root);

describe("--help of every command", () => {
  it("covers the whole tree, groups included", () => {
    const names = paths.map((p) => p.join(" "));
    expect(names).toEqual(
      expect.arrayContaining([
        "",
        "builds",
        "builds ls",
        "builds submit",
        "deploys",
        "deploys ls",
        "deploys create",
        "deploys rollback",
        "auth",
        "auth login",
        "config",
        "config set",
        "completion",
        "sandbox",
        "help",
      ]),
    );
    expect(names).not.toContain("__complete");
  });

  it.each(paths.map((p) => [p.join(" ") || "(root)", p] as const))(
    "%s: usage, a one-line summary, options and real examples",
    async (_name, path) => {
      const r = await valar([...path, "--help"]);
      expect(r.exitCode).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout).not.toMatch(/\u001b\[/);
      const lines = r.stdout.split("\n");
      expect(lines[0]).toMatch(new RegExp(`^Usage: valar${path.length ? " " + path.join(" ") : ""}`));
      expect(lines[1]).toBe("");
      expect(lines[2]!.trim().length).toBeGreaterThan(10);
      expect(lines[3]).toBe("");
      expect(r.stdout).toMatch(/^Options:\n {2}-/m);

      const examples = r.stdout.split("\nExamples:\n")[1]?.split("\n\n")[0]?.split("\n").filter(Boolean) ?? [];
      expect(examples.length, "at least one example").toBeGreaterThan(0);
      for (const example of examples) {
        expect(example).toMatch(/^ {2}\$ /);
        const words = exampleWords(example);
        expect(words.length, `${example} runs valar with arguments`).toBeGreaterThan(0);
        const { cmd, rest } = findCommand(words);
        // An example is real when its command exists and every flag is one it accepts.
        expect(cmd.commands.filter((c) => !isHidden(c)).length === 0 || rest.length === 0, `${example}: a leaf command`).toBe(true);
        const known = new Set([...cmd.options, ...root.options].flatMap((o) => [o.short, o.long]).concat(["-h", "--help"]));
        for (const w of rest.filter((x) => /^--?[A-Za-z]/.test(x))) {
          expect(known.has(w.split("=")[0]), `${example}: flag ${w} of \`valar ${path.join(" ")}\``).toBe(true);
        }
      }
    },
  );
});

describe("valar help", () => {
  it("lists the command groups under their headings, one line each, as gh does", async () => {
    const r = await valar(["help"]);
    expect(r.exitCode).toBe(0);
    const out = r.stdout;
    const headings = ["Build commands:", "Deployment commands:", "Account and settings:", "Local server:", "Other:"];
    const at = headings.map((h) => out.indexOf(`\n${h}\n`));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const section = (h: string) => out.slice(out.indexOf(`\n${h}\n`)).split("\n\n")[0]!;
    expect(section("Build commands:").split("\n").slice(2)).toEqual([expect.stringMatching(/^ {2}builds +\S/)]);
    expect(section("Deployment commands:").split("\n").slice(2)).toEqual([expect.stringMatching(/^ {2}deploys +\S/)]);
    expect(section("Account and settings:")).toMatch(/^ {2}auth\b/m);
    expect(section("Account and settings:")).toMatch(/^ {2}config\b/m);
    expect(section("Local server:")).toMatch(/^ {2}sandbox\b/m);
    expect(section("Other:")).toMatch(/^ {2}completion\b/m);
    expect(section("Other:")).toMatch(/^ {2}help\b/m);
    expect(r.stdout).toBe((await valar(["--help"])).stdout);
  });

  it("ends `valar --help` pointing at the exit-code topic", async () => {
    const r = await valar(["--help"]);
    expect(r.stdout).toMatch(/`valar help exit-codes`/);
  });

  it("has an exit-codes topic", async () => {
    const r = await valar(["help", "exit-codes"]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe("");
    for (const code of Object.values(ExitCode)) expect(r.stdout).toMatch(new RegExp(`^ {2}${code} +\\S`, "m"));
    expect(r.stdout).toMatch(/^ {2}124 +.*--timeout/m);
  });

  it("shows a nested command's help: valar help builds ls", async () => {
    const r = await valar(["help", "builds", "ls"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^Usage: valar builds ls\|list /);
    expect(r.stdout).toBe((await valar(["builds", "ls", "--help"])).stdout);
    expect((await valar(["help", "builds", "list"])).stdout).toBe(r.stdout);
  });

  it("keeps commander's help command of a group: valar builds help submit", async () => {
    const r = await valar(["builds", "help", "submit"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^Usage: valar builds submit /);
  });

  it("rejects an unknown command or topic with a usage error", async () => {
    const r = await valar(["help", "builds", "frobnicate"]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: .*builds frobnicate/m);
    expect(r.stderr).toMatch(/^hint: .*exit-codes/m);
  });
});

describe("help lists what applies, once", () => {
  it("valar help auth login lists --endpoint once (login's own)", async () => {
    const r = await valar(["help", "auth", "login"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.match(/^\s+--endpoint <url>/gm)).toHaveLength(1);
    expect(r.stdout).toMatch(/--endpoint <url> +API endpoint to log in to/);
  });

  it("valar sandbox --help lists no -p, -s or --endpoint, and unquoted defaults", async () => {
    const r = await valar(["sandbox", "--help"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toMatch(/--project|--service|--endpoint/);
    expect(r.stdout).toMatch(/\(default:\s+8080\)/);
    expect(r.stdout).not.toMatch(/default: "/);
  });

  it("the root help lists each group on one line", async () => {
    const r = await valar(["--help"]);
    expect(r.stdout).toMatch(/^ {2}builds +list, submit/m);
    expect(r.stdout).toMatch(/^ {2}deploys +list, create/m);
    expect(r.stdout).not.toMatch(/^ {2}builds ls/m);
    expect(r.stdout.split("\n").length).toBeLessThan(45);
  });

  it("help shown for a usage error goes to stderr with exit 2; asked for, to stdout with exit 0", async () => {
    const asked = await valar(["help", "builds"]);
    expect([asked.exitCode, asked.stderr]).toEqual([0, ""]);
    expect(asked.stdout).toMatch(/^Usage: valar builds/);
    const wrong = await valar(["help", "nonsense"]);
    expect([wrong.exitCode, wrong.stdout]).toEqual([2, ""]);
    expect(wrong.stderr).toMatch(/^error: /);
  });
});
