import { describe, expect, it } from "vitest";
import { Chalk } from "chalk";
import { colorStatus } from "../../../src/output/status.js";

const on = new Chalk({ level: 1 });
const off = new Chalk({ level: 0 });

describe("colorStatus", () => {
  it.each([
    ["done", 32],
    ["failed", 31],
    ["running", 36],
    ["pending", 33],
    ["expired", 90],
  ])("%s gets colour %i", (status, code) => {
    expect(colorStatus(status, on)).toBe(`\u001b[${code}m${status}\u001b[39m`);
  });

  it("an unknown status is printed as it is", () => {
    expect(colorStatus("queued", on)).toBe("queued");
  });

  it("an unknown status cannot smuggle control characters to the terminal", () => {
    expect(colorStatus("evil\u001b[2J", on)).toBe("evil[2J");
  });

  it("no escape codes when colour is off", () => {
    for (const s of ["done", "failed", "running", "pending", "expired"]) expect(colorStatus(s, off)).toBe(s);
  });
});
