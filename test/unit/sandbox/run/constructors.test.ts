import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../../helpers/cli.js";
import { canonicalConstructor, ConstructorError, findOnPath, knownConstructorNames, planBuild } from "../../../../src/sandbox/run/constructors.js";

function workspace(files: Record<string, string>): string {
  const dir = tempDir("valar-ws-");
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

describe("constructor names", () => {
  it("maps the documented aliases and the sandbox's shell", () => {
    expect(canonicalConstructor("go")).toBe("golang");
    expect(canonicalConstructor("golang-1.17")).toBe("golang");
    expect(canonicalConstructor("dockerfile")).toBe("docker");
    expect(canonicalConstructor("kaniko")).toBe("docker");
    expect(canonicalConstructor("node-static")).toBe("node-static");
    expect(canonicalConstructor("shell")).toBe("shell");
    expect(canonicalConstructor("cobol")).toBeUndefined();
    expect(canonicalConstructor("constructor")).toBeUndefined();
    expect(knownConstructorNames()).toEqual([
      "docker",
      "dockerfile",
      "go",
      "golang",
      "golang-1.17",
      "kaniko",
      "node",
      "node-static",
      "python",
      "shell",
      "static",
    ]);
  });
});

describe("planBuild", () => {
  it("node: npm ci with a lockfile, npm install without; then npm run build --if-present", () => {
    const locked = planBuild("node", workspace({ "package.json": "{}", "package-lock.json": "{}" }));
    expect(locked.steps.map((s) => [s.tool, s.args[0]])).toEqual([
      ["npm", "ci"],
      ["npm", "run"],
    ]);
    expect(locked.steps[1]!.args).toEqual(["run", "build", "--if-present"]);
    const unlocked = planBuild("node", workspace({ "package.json": "{}" }));
    expect(unlocked.steps[0]!.args[0]).toBe("install");
  });

  it("python: pip install only with requirements.txt, then compileall", () => {
    expect(planBuild("python", workspace({ "a.py": "" })).steps.map((s) => s.args[1])).toEqual(["compileall"]);
    const withReqs = planBuild("python", workspace({ "requirements.txt": "x\n" }));
    expect(withReqs.steps.map((s) => s.args[1])).toEqual(["pip", "compileall"]);
    expect(withReqs.steps[0]!.args).toContain("requirements.txt");
  });

  it("golang and docker need their files; shell needs build.sh", () => {
    expect(planBuild("go", workspace({ "go.mod": "module x" })).steps).toEqual([{ tool: "go", args: ["build", "./..."] }]);
    expect(() => planBuild("golang", workspace({}))).toThrow(ConstructorError);
    expect(() => planBuild("docker", workspace({}))).toThrow(/Dockerfile not found/);
    expect(planBuild("docker", workspace({ Dockerfile: "" })).steps.at(-1)).toEqual({ tool: "docker", args: ["build", "."] });
    expect(planBuild("shell", workspace({ "build.sh": "" })).steps).toEqual([{ tool: "bash", args: ["build.sh"] }]);
    expect(() => planBuild("shell", workspace({}))).toThrow(/build\.sh not found/);
  });

  it("static: runs nothing, refuses an empty artifact", () => {
    expect(planBuild("static", workspace({ "index.html": "" })).steps).toEqual([]);
    expect(() => planBuild("static", workspace({}))).toThrow(/no files/);
  });
});

describe("findOnPath", () => {
  it("finds executables only", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "tool"), "#!/bin/sh\n", { mode: 0o755 });
    writeFileSync(join(dir, "plain"), "", { mode: 0o644 });
    expect(findOnPath("tool", `/nonexistent:${dir}`)).toBe(join(dir, "tool"));
    expect(findOnPath("plain", dir)).toBeUndefined();
    expect(findOnPath("tool", undefined)).toBeUndefined();
  });
});
