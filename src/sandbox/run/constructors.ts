import { accessSync, constants, existsSync, readdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import { CONSTRUCTORS } from "../../api/types.js";

/** One command a constructor runs in the workspace. */
export interface Step {
  tool: string;
  args: string[];
  /** The build's error when this step fails, instead of the generic "exited with code N". */
  failure?: string;
}

export interface Plan {
  steps: Step[];
  /** What the sandbox says about the plan before running it (WRAPPER lines). */
  notes: string[];
}

/** A build the constructor cannot even start: missing file, missing tool. */
export class ConstructorError extends Error {}

type Planner = (workspace: string) => Plan;

function requireFile(workspace: string, file: string, constructor: string): void {
  if (!existsSync(join(workspace, file))) {
    throw new ConstructorError(`${file} not found in the artifact: the ${constructor} constructor needs it`);
  }
}

const node: Planner = (ws) => {
  requireFile(ws, "package.json", "node");
  const locked = existsSync(join(ws, "package-lock.json")) || existsSync(join(ws, "npm-shrinkwrap.json"));
  return {
    notes: [],
    steps: [
      { tool: "npm", args: locked ? ["ci", "--no-audit", "--no-fund"] : ["install", "--no-audit", "--no-fund"] },
      { tool: "npm", args: ["run", "build", "--if-present"] },
    ],
  };
};

/** The sandbox's constructors: the documented ones (aliases from api/types) plus `shell`. */
const PLANNERS: Record<string, Planner> = {
  // Sandbox-only: the archive's own build.sh is the whole build.
  shell: (ws) => {
    requireFile(ws, "build.sh", "shell");
    return { notes: [], steps: [{ tool: "bash", args: ["build.sh"] }] };
  },
  static: (ws) => {
    const files = readdirSync(ws, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
    if (files === 0) throw new ConstructorError("the artifact holds no files: nothing to serve");
    const notes = [`static site: ${files} file${files === 1 ? "" : "s"}, nothing to build`];
    if (!existsSync(join(ws, "index.html"))) notes.push("warning: no index.html at the top of the artifact");
    return { notes, steps: [] };
  },
  node,
  "node-static": node,
  python: (ws) => {
    const steps: Step[] = [];
    // Into the workspace, not the machine's own Python: a build must not change the host.
    if (existsSync(join(ws, "requirements.txt"))) {
      steps.push({
        tool: "python3",
        args: ["-m", "pip", "install", "--no-input", "--disable-pip-version-check", "--target", ".packages", "-r", "requirements.txt"],
      });
    }
    steps.push({ tool: "python3", args: ["-m", "compileall", "-q", "-x", "[/\\\\]\\.packages[/\\\\]", "."] });
    return { notes: [], steps };
  },
  golang: (ws) => {
    requireFile(ws, "go.mod", "golang");
    return { notes: [], steps: [{ tool: "go", args: ["build", "./..."] }] };
  },
  docker: (ws) => {
    requireFile(ws, "Dockerfile", "docker");
    return {
      notes: [],
      steps: [
        // Asked first so a missing engine is reported as such, not as a failed build step.
        {
          tool: "docker",
          args: ["info", "--format", "{{.ServerVersion}}"],
          failure: "no Docker engine is reachable (docker info failed): the docker constructor needs one",
        },
        { tool: "docker", args: ["build", "."] },
      ],
    };
  },
};

const ALIASES: Record<string, string> = Object.fromEntries(
  Object.entries({ ...CONSTRUCTORS, shell: [] as readonly string[] }).flatMap(([name, aliases]): Array<[string, string]> => [
    [name, name],
    ...aliases.map((a): [string, string] => [a, name]),
  ]),
);

/** Canonical constructor name for a name or alias, or undefined when unknown. */
export function canonicalConstructor(name: string): string | undefined {
  return Object.hasOwn(ALIASES, name) ? ALIASES[name] : undefined;
}

/** Every accepted name, aliases included, for error messages. */
export function knownConstructorNames(): string[] {
  return Object.keys(ALIASES).sort();
}

export function planBuild(constructor: string, workspace: string): Plan {
  const name = canonicalConstructor(constructor);
  const planner = name ? PLANNERS[name] : undefined;
  if (!planner) throw new ConstructorError(`unknown constructor "${constructor}"`);
  return planner(workspace);
}

/** The executable a tool name resolves to on PATH, or undefined when it is missing. */
export function findOnPath(tool: string, pathVar: string | undefined): string | undefined {
  for (const dir of (pathVar ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, tool);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
