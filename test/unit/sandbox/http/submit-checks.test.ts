import { describe, expect, it } from "vitest";
import { checkNames, parseSubmit } from "../../../../src/sandbox/http/submit-checks.js";
import { HttpError } from "../../../../src/sandbox/http/responses.js";

function error(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HttpError) return err;
    throw err;
  }
  throw new Error("no error");
}

describe("parseSubmit", () => {
  it("reads the documented body", () => {
    expect(
      parseSubmit({
        artifact: "k",
        build: { constructor: "go", environment: [{ key: "A", value: "1" }] },
        deployment: { skip: true, environment: [{ key: "S", value: "x", secret: true }] },
      }),
    ).toEqual({
      artifact: "k",
      constructor: "go",
      buildEnvironment: [{ key: "A", value: "1" }],
      skipDeploy: true,
      deployEnvironment: [{ key: "S", value: "x", secret: true }],
    });
    expect(parseSubmit({ artifact: "k", build: { constructor: "shell" } }).skipDeploy).toBe(false);
  });

  it("refuses malformed bodies with 400 and a message saying what is wrong", () => {
    expect(error(() => parseSubmit([])).message).toMatch(/JSON object/);
    expect(error(() => parseSubmit({ build: { constructor: "go" } })).message).toMatch(/"artifact" is required/);
    expect(error(() => parseSubmit({ artifact: "k", build: {} })).message).toMatch(/build\.constructor.*known constructors: .*golang/);
    const unknown = error(() => parseSubmit({ artifact: "k", build: { constructor: "cobol" } }));
    expect(unknown.status).toBe(400);
    expect(unknown.message).toMatch(/unknown constructor "cobol"; known constructors: docker, dockerfile, go, .*shell, static/);
    expect(error(() => parseSubmit({ artifact: "k", build: { constructor: "go", environment: {} } })).message).toMatch(/build\.environment/);
    expect(error(() => parseSubmit({ artifact: "k", build: { constructor: "go", environment: [{ key: "1X" }] } })).message).toMatch(
      /valid variable name/,
    );
    expect(error(() => parseSubmit({ artifact: "k", build: { constructor: "go" }, deployment: { skip: "yes" } })).message).toMatch(/skip/);
  });
});

describe("environment limits", () => {
  const submit = (environment: unknown) => () => parseSubmit({ artifact: "k", build: { constructor: "go", environment } });

  it("refuses a NUL, an entry over 64 KiB and an environment over 256 KiB, naming the entry", () => {
    expect(error(submit([{ key: "A", value: "x\u0000" }])).message).toBe(
      "build.environment[0] (A): the value holds a NUL byte, which no environment variable can",
    );
    expect(
      error(
        submit([
          { key: "A", value: "" },
          { key: "B", value: "x".repeat(65535) },
        ]),
      ).message,
    ).toBe("build.environment[1] (B) is 65537 bytes; the limit for one entry is 65536");
  });

  it("counts bytes, not characters, and the whole list", () => {
    expect(() => submit([{ key: "B", value: "x".repeat(65534) }])()).not.toThrow();
    expect(error(submit([{ key: "B", value: "é".repeat(32768) }])).message).toMatch(/is 65538 bytes/);
    const big = (i: number) => ({ key: `K${i}`, value: "v".repeat(60_000) });
    expect(() => submit([0, 1, 2, 3].map(big))()).not.toThrow();
    expect(error(submit([0, 1, 2, 3, 4].map(big))).message).toMatch(/^build\.environment is 300020 bytes in all; the limit is 262144$/);
  });
});

describe("checkNames", () => {
  it("follows the documented name rules", () => {
    expect(() => checkNames("my-project2", "web2")).not.toThrow();
    expect(error(() => checkNames("my--project", "web")).message).toMatch(/invalid project name/);
    expect(error(() => checkNames("2x", "web")).message).toMatch(/invalid project name/);
    expect(error(() => checkNames("p", "we-b")).message).toMatch(/invalid service name/);
  });
});
