import { describe, expect, it } from "vitest";
import { objectWithStrings, stringList } from "../../../src/api/validate.js";
import { ApiUnreachableError } from "../../../src/errors.js";

const validate = objectWithStrings<Record<string, string>>("a build", ["id", "status"], ["error"], ["id"]);

describe("response validation", () => {
  it("cleans every string field of control and bidi characters; only `error` keeps its lines", () => {
    const out = validate({ id: "a1-b2", status: "do\u001b[2Jne\u202e", error: "line 1\r\nline\u0007 2", extra: "x\ny\u009b" });
    expect(out).toEqual({ id: "a1-b2", status: "do[2Jne", error: "line 1\nline 2", extra: "x y" });
  });

  it.each(["a1\u001b]0;t\u0007", "a1\n::add-mask::x", "a1\u202e", "a 1", ""])("refuses the ID %j as a bad response (exit 6)", (id) => {
    expect(() => validate({ id, status: "done" })).toThrow(ApiUnreachableError);
    expect(() => validate({ id, status: "done" })).toThrow(/a build's "id" is not letters, digits and dashes/);
  });

  it("cleans each string of a list to one line", () => {
    expect(stringList("projects", ["p\u202e1", "q\nr"])).toEqual(["p1", "q r"]);
  });
});
