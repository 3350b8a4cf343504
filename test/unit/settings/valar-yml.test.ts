import { chmodSync, chownSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadValarYml, parseValarYml } from "../../../src/settings/valar-yml.js";
import { findValarYml } from "../../../src/settings/find-valar-yml.js";
import { UsageError } from "../../../src/errors.js";
import { tempDir } from "../../helpers/cli.js";
import { errorOf } from "../../helpers/error-of.js";

const P = "/work/x/.valar.yml";

describe("parseValarYml", () => {
  it("reads the original CLI's format with both environment forms", () => {
    const y = parseValarYml(
      [
        "project: myproject",
        "service: web",
        "build:",
        "  constructor: golang",
        "  ignore: [node_modules, .cache/]",
        "  environment:",
        '    - "GO_FLAGS=-ldflags=-s -w"',
        "    - key: CGO_ENABLED",
        "      value: 0",
        "deployment:",
        "  skip: true",
        "  environment:",
        "    - PORT=8080",
        "    - key: DB_PASSWORD",
        "      value: hunter2",
        "      secret: true",
        "    - EMPTY=",
      ].join("\n"),
      P,
    );
    expect(y).toEqual({
      path: P,
      project: "myproject",
      service: "web",
      build: {
        constructor: "golang",
        ignore: ["node_modules", ".cache/"],
        environment: [
          { key: "GO_FLAGS", value: "-ldflags=-s -w" },
          { key: "CGO_ENABLED", value: "0" },
        ],
      },
      deployment: {
        skip: true,
        environment: [
          { key: "PORT", value: "8080" },
          { key: "DB_PASSWORD", value: "hunter2", secret: true },
          { key: "EMPTY", value: "" },
        ],
      },
    });
  });

  it("accepts an empty file and minimal files", () => {
    expect(parseValarYml("", P)).toMatchObject({ project: undefined, build: { ignore: [], environment: [] } });
    const y = parseValarYml("project: p\nbuild:\n  ignore:\n", P);
    expect(y.build.constructor).toBeUndefined(); // not Object.prototype.constructor
    expect(y.deployment.skip).toBeUndefined();
  });

  it("warns about keys it does not know, naming the nearest known one (newer files keep working)", () => {
    const seen: string[] = [];
    const y = parseValarYml(
      "project: p\nfuture: {a: 1}\nbulid:\n  constructor: go\nbuild:\n  enviroment: [A=1]\ndeployment:\n  Skip: true\n",
      P,
      (m) => seen.push(m),
    );
    expect(y.project).toBe("p");
    expect(seen).toEqual([
      `${P}: unknown key "future" is not used; known keys: project, service, build, deployment`,
      `${P}: unknown key "bulid" is not used; did you mean build?`,
      `${P}: unknown key "build.enviroment" is not used; did you mean build.environment?`,
      `${P}: unknown key "deployment.Skip" is not used; did you mean deployment.skip?`,
    ]);
  });

  it("cuts a long quoted value in an error (one line, at most 60 characters of it)", () => {
    const huge = "A B".repeat(100_000);
    const err = errorOf<UsageError>(() => parseValarYml(`build:\n  environment:\n    - "${huge}=1"\n`, P));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message.length).toBeLessThan(200);
    expect(err.message).toMatch(/"A BA BA B.*…" is not a variable name/);
    const noEq = errorOf<UsageError>(() => parseValarYml(`build:\n  environment: ["${"x".repeat(5000)}"]\n`, P));
    expect(noEq.message).toMatch(/must be KEY=VALUE \(got "x{59}…"\)$/);
  });

  it.each([
    ["project: [a", /not valid YAML/],
    ["- a\n- b", /must be a mapping/],
    ["build: golang", /build must be a mapping/],
    ["build:\n  environment: FOO=1", /build.environment must be a list/],
    ["build:\n  environment: [NOEQUALS]", /build.environment\[0\] must be KEY=VALUE/],
    ["build:\n  environment: ['=x']", /must be KEY=VALUE/],
    ["deployment:\n  environment: [{value: x}]", /needs a non-empty string "key"/],
    ["deployment:\n  environment: [{key: A, value: [1]}]", /value must be a string/],
    ["deployment:\n  environment: [{key: A, value: b, secret: yes please}]", /secret must be true or false/],
    ["deployment:\n  skip: 'false'", /deployment.skip must be true or false/],
    ["build:\n  ignore: node_modules", /build.ignore must be a list/],
    ["project: {a: 1}", /project must be a string/],
  ])("rejects %j with one line naming the file (exit 2)", (text, message) => {
    const err = errorOf<UsageError>(() => parseValarYml(text, P));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(message);
    // "path: problem", or "path:line:column: problem" for YAML syntax.
    expect(err.message).toMatch(new RegExp(`^${P.replace(/[.]/g, "\\.")}(:\\d+:\\d+)?: `));
    expect(err.message).not.toContain("\n");
  });
});

describe("finding .valar.yml", () => {
  const quiet = () => {};
  /** A home and a project inside it (mkdtemp dirs are 0700, not world-writable). */
  function home(): { home: string; env: NodeJS.ProcessEnv } {
    const dir = tempDir();
    return { home: dir, env: { HOME: dir } };
  }

  it("walks up from a subdirectory to the nearest file", () => {
    const { home: root, env } = home();
    const sub = join(root, "a", "b");
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(root, ".valar.yml"), "project: outer\n");
    expect(findValarYml(sub, env, quiet)?.path).toBe(join(root, ".valar.yml"));
    writeFileSync(join(root, "a", ".valar.yml"), "project: inner\n");
    expect(loadValarYml(sub, env, quiet)?.project).toBe("inner");
  });

  it("stops at the repository root (a directory holding .git)", () => {
    const { home: root, env } = home();
    writeFileSync(join(root, ".valar.yml"), "project: outer\n");
    mkdirSync(join(root, "repo", ".git"), { recursive: true });
    mkdirSync(join(root, "repo", "src"));
    expect(findValarYml(join(root, "repo", "src"), env, quiet)).toBeUndefined();
    // A worktree's .git is a file: the same.
    mkdirSync(join(root, "wt", "src"), { recursive: true });
    writeFileSync(join(root, "wt", ".git"), "gitdir: /elsewhere\n");
    expect(findValarYml(join(root, "wt", "src"), env, quiet)).toBeUndefined();
    writeFileSync(join(root, "repo", ".valar.yml"), "project: repo\n");
    expect(findValarYml(join(root, "repo", "src"), env, quiet)?.path).toBe(join(root, "repo", ".valar.yml"));
  });

  it("stops at $HOME: a file above it is never used", () => {
    const outer = tempDir();
    const homeDir = join(outer, "home");
    mkdirSync(join(homeDir, "proj"), { recursive: true });
    writeFileSync(join(outer, ".valar.yml"), "project: above\n");
    expect(findValarYml(join(homeDir, "proj"), { HOME: homeDir }, quiet)).toBeUndefined();
    writeFileSync(join(homeDir, ".valar.yml"), "project: home\n");
    expect(findValarYml(join(homeDir, "proj"), { HOME: homeDir }, quiet)?.path).toBe(join(homeDir, ".valar.yml"));
  });

  it.each([
    [0o664, "its group"],
    [0o646, "others"],
  ])("ignores, with a warning naming it, a file of mode %s (writable by %s)", (mode, who) => {
    const { home: root, env } = home();
    const path = join(root, ".valar.yml");
    writeFileSync(path, "project: evil\n");
    chmodSync(path, mode);
    const seen: string[] = [];
    expect(findValarYml(root, env, (m) => seen.push(m))).toBeUndefined();
    expect(seen).toEqual([`ignoring ${path}: it is writable by ${who} (mode 0${mode.toString(8)}); run chmod go-w on it to use it`]);
  });

  it("ignores a file in a world-writable directory, sticky bit or not (as /tmp)", () => {
    const { home: root, env } = home();
    const shared = join(root, "shared");
    mkdirSync(join(shared, "proj"), { recursive: true });
    chmodSync(shared, 0o1777);
    writeFileSync(join(shared, ".valar.yml"), "build:\n  environment: [LD_PRELOAD=/tmp/evil.so]\n", { mode: 0o644 });
    const seen: string[] = [];
    expect(findValarYml(join(shared, "proj"), env, (m) => seen.push(m))).toBeUndefined();
    expect(seen).toEqual([`ignoring ${join(shared, ".valar.yml")}: ${shared} is writable by anyone, so anyone could have put it there`]);
  });

  it.runIf(process.getuid?.() === 0)("uses a file owned by another user, with a warning naming it and its owner", () => {
    const { home: root, env } = home();
    const path = join(root, ".valar.yml");
    writeFileSync(path, "project: theirs\n", { mode: 0o644 });
    chownSync(path, 4242, 4242);
    const seen: string[] = [];
    expect(findValarYml(root, env, (m) => seen.push(m))?.path).toBe(path);
    expect(seen).toEqual([`${path} belongs to uid 4242, not to you; using it`]);
  });

  it("a directory named .valar.yml is ignored with a warning naming it", () => {
    const { home: root, env } = home();
    mkdirSync(join(root, ".valar.yml"));
    const seen: string[] = [];
    expect(findValarYml(root, env, (m) => seen.push(m))).toBeUndefined();
    expect(seen).toEqual([`ignoring ${join(root, ".valar.yml")}: it is a directory, not a regular file`]);
  });

  it("never reads a FIFO or a device: warned about, not waited on", () => {
    const { home: root, env } = home();
    execFileSync("mkfifo", [join(root, ".valar.yml")]);
    const seen: string[] = [];
    expect(findValarYml(root, env, (m) => seen.push(m))).toBeUndefined();
    expect(seen).toEqual([`ignoring ${join(root, ".valar.yml")}: it is a FIFO, not a regular file`]);
    const other = home();
    symlinkSync("/dev/zero", join(other.home, ".valar.yml"));
    seen.length = 0;
    expect(findValarYml(other.home, other.env, (m) => seen.push(m))).toBeUndefined();
    expect(seen).toEqual([`ignoring ${join(other.home, ".valar.yml")}: it is a character device, not a regular file`]);
  });
});
