import { describe, expect, it } from "vitest";
import { checkNames, parseSubmit } from "../../../src/sandbox/validate.js";
import { HttpError } from "../../../src/sandbox/http.js";

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
    expect(error(() => parseSubmit({ artifact: "k", build: { constructor: "go", environment: [{ key: "1X" }] } })).message).toMatch(/valid variable name/);
    expect(error(() => parseSubmit({ artifact: "k", build: { constructor: "go" }, deployment: { skip: "yes" } })).message).toMatch(/skip/);
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
