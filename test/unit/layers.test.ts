import { readdirSync, readFileSync } from "node:fs";
import { join, posix, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// The layer rules of src/, checked on the import statements of every module:
// - the sandbox (a server) shares only the API types with the client;
// - the terminal layer (src/output) knows nothing of builds, of the HTTP client beyond the
//   API types, of commands or of the sandbox;
// - the HTTP client (src/api) prints nothing and knows no builds or commands;
// - commands are reached only from src/cli.ts, which wires them.

const SRC = resolve(import.meta.dirname, "../../src");

interface Rule {
  name: string;
  /** The importing module (a path under src/, with "/" separators). */
  from: (file: string) => boolean;
  /** The imported module that breaks the rule. */
  forbids: (target: string) => boolean;
}

const under = (dir: string) => (path: string) => path.startsWith(`${dir}/`);
const not = (test: (path: string) => boolean) => (path: string) => !test(path);
const API_TYPES = "api/types.ts";

const RULES: Rule[] = [
  {
    name: "the sandbox imports nothing of the client but the API types",
    from: under("sandbox"),
    forbids: (t) => !under("sandbox")(t) && t !== API_TYPES,
  },
  {
    name: "output imports no builds, API (but its types), commands or sandbox",
    from: under("output"),
    forbids: (t) => under("builds")(t) || (under("api")(t) && t !== API_TYPES) || under("commands")(t) || under("sandbox")(t),
  },
  {
    name: "the API client imports no output, builds or commands",
    from: under("api"),
    forbids: (t) => under("output")(t) || under("builds")(t) || under("commands")(t),
  },
  {
    name: "only src/cli.ts imports commands",
    from: (f) => not(under("commands"))(f) && f !== "cli.ts",
    forbids: under("commands"),
  },
];

/**
 * Imports that break a rule today and wait for their move, as "importer -> imported".
 * An entry that no longer happens fails the test too, so the list only shrinks.
 */
const KNOWN: Record<string, string> = {
  // text.ts is plain string handling (control characters, one-line messages) that the
  // client uses to clean server text at the boundary; it belongs in a module both share.
  "api/http-errors.ts -> output/text.ts": "text helpers shared by api and output",
  "api/users.ts -> output/text.ts": "text helpers shared by api and output",
  "api/validate.ts -> output/text.ts": "text helpers shared by api and output",
};

/** Every module under src/, as paths relative to src/ with "/" separators. */
function modules(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return modules(path);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [relative(SRC, path).split("\\").join("/")] : [];
  });
}

/** The modules under src/ a module imports: static, type-only, re-exports and import(). */
function importsOf(file: string, text: string): string[] {
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]!);
  return specifiers.map((s) => posix.normalize(posix.join(posix.dirname(file), s)).replace(/\.js$/, ".ts"));
}

function violations(files: { file: string; text: string }[]): string[] {
  const found: string[] = [];
  for (const { file, text } of files) {
    for (const target of importsOf(file, text)) {
      for (const rule of RULES) {
        if (rule.from(file) && rule.forbids(target)) found.push(`${file} -> ${target}`);
      }
    }
  }
  return [...new Set(found)].sort();
}

describe("layer rules", () => {
  const sources = modules().map((file) => ({
    file,
    text: readFileSync(join(SRC, file), "utf8"),
  }));

  it("reads the modules and their imports", () => {
    expect(sources.length).toBeGreaterThan(50);
    const server = sources.find((s) => s.file === "sandbox/http/server.ts");
    expect(server && importsOf(server.file, server.text)).toContain("api/types.ts");
  });

  it("holds in src/ (but for the known exceptions, each of which still happens)", () => {
    const found = violations(sources);
    expect(found.filter((v) => !(v in KNOWN))).toEqual([]);
    expect(Object.keys(KNOWN).filter((k) => !found.includes(k))).toEqual([]);
  });

  it.each([
    ["sandbox/store/token.ts", 'import { UsageError } from "../../errors.js";', "sandbox/store/token.ts -> errors.ts"],
    ["sandbox/http/routes.ts", 'const { x } = await import("../../builds/wait.js");', "sandbox/http/routes.ts -> builds/wait.ts"],
    ["output/table.ts", 'import type { Client } from "../api/client.js";', "output/table.ts -> api/client.ts"],
    ["output/live.ts", 'export { follow } from "../builds/follow.js";', "output/live.ts -> builds/follow.ts"],
    ["api/client.ts", 'import { io } from "../output/io.js";', "api/client.ts -> output/io.ts"],
    ["builds/wait.ts", 'import { run } from "../commands/builds/watch.run.js";', "builds/wait.ts -> commands/builds/watch.run.ts"],
  ])("catches %s importing across a layer", (file, line, expected) => {
    expect(violations([{ file, text: line }])).toEqual([expected]);
  });

  it.each([
    ["sandbox/http/routes.ts", 'import { BUILD_PREFIX } from "../../api/types.js";'],
    ["output/status.ts", 'import type { Build } from "../api/types.js";'],
    ["cli.ts", 'import { defineBuilds } from "./commands/builds/index.js";'],
    ["commands/builds/ls.ts", 'import { addJsonOption } from "../shared/options.js";'],
  ])("lets %s import within the rules", (file, line) => {
    expect(violations([{ file, text: line }])).toEqual([]);
  });
});
