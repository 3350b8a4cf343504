import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findValarYml, loadValarYml, parseValarYml } from "../../../src/settings/valar-yml.js";
import { UsageError } from "../../../src/errors.js";
import { tempDir } from "../../helpers/cli.js";

const P = "/work/x/.valar.yml";

describe("parseValarYml", () => {
  it("reads the original CLI's format with both environment forms", async () => {
    const y = await parseValarYml(
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

  it("accepts an empty file and minimal files", async () => {
    expect(await parseValarYml("", P)).toMatchObject({ project: undefined, build: { ignore: [], environment: [] } });
    const y = await parseValarYml("project: p\nbuild:\n  ignore:\n", P);
    expect(y.build.constructor).toBeUndefined(); // not Object.prototype.constructor
    expect(y.deployment.skip).toBeUndefined();
  });

  it("ignores keys it does not know (newer files keep working)", async () => {
    expect((await parseValarYml("project: p\nfuture: {a: 1}\n", P)).project).toBe("p");
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
  ])("rejects %j with one line naming the file (exit 2)", async (text, message) => {
    const err = await parseValarYml(text, P).catch((e) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(message);
    // "path: problem", or "path:line:column: problem" for YAML syntax.
    expect(err.message).toMatch(new RegExp(`^${P.replace(/[.]/g, "\\.")}(:\\d+:\\d+)?: `));
    expect(err.message).not.toContain("\n");
  });
});

describe("finding .valar.yml", () => {
  it("walks up from a subdirectory to the nearest file", async () => {
    const root = tempDir();
    const sub = join(root, "a", "b");
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(root, ".valar.yml"), "project: outer\n");
    expect(await findValarYml(sub)).toBe(join(root, ".valar.yml"));
    writeFileSync(join(root, "a", ".valar.yml"), "project: inner\n");
    expect((await loadValarYml(sub))?.project).toBe("inner");
  });

  it("a directory named .valar.yml is a one-line error naming it", async () => {
    const root = tempDir();
    mkdirSync(join(root, ".valar.yml"));
    await expect(loadValarYml(root)).rejects.toThrowError(/\.valar\.yml: is a directory/);
  });
});
