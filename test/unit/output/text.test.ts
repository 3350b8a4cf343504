import { describe, expect, it } from "vitest";
import { displayWidth, escapeControl, oneLine, shorten, stripControl, truncate } from "../../../src/output/text.js";

describe("text helpers", () => {
  it("displayWidth counts code points, not UTF-16 units", () => {
    expect(displayWidth("abc")).toBe(3);
    expect(displayWidth("héllo")).toBe(5);
    expect(displayWidth("a😀b")).toBe(3);
  });

  it("oneLine joins lines and squeezes whitespace", () => {
    expect(oneLine("  go build failed\n\tmain.go:3:  x \r\n")).toBe("go build failed main.go:3: x");
  });

  it("stripControl removes escape sequences' control bytes but keeps lines and tabs", () => {
    expect(stripControl("a\u001b[2Jb\u0007c\u009bd")).toBe("a[2Jbcd");
    expect(stripControl("one\r\ntwo\rthree\tx")).toBe("one\ntwo\nthree\tx");
  });

  it("stripControl drops the bidi controls that reorder what a terminal shows", () => {
    expect(stripControl("a\u202egnp.exe\u2066b\u2069\u200e\u200f\u061c")).toBe("agnp.exeb");
  });

  it("escapeControl shows a name on one line with its controls visible", () => {
    expect(escapeControl("src/a\nb.txt")).toBe("src/a\\nb.txt");
    expect(escapeControl("\u202etxt.exe\u001b[2J")).toBe("\\u202etxt.exe\\x1b[2J");
    expect(escapeControl("tab\there é")).toBe("tab\there é");
  });

  it("oneLine also drops control characters", () => {
    expect(oneLine("red \u001b[31malert\u001b[0m\n")).toBe("red [31malert[0m");
  });

  it("truncate keeps short text and marks a cut with …", () => {
    expect(truncate("short", 10)).toBe("short");
    expect(truncate("exactly10!", 10)).toBe("exactly10!");
    expect(truncate("one two three", 8)).toBe("one two…");
    expect(truncate("abcdef", 1)).toBe("…");
    expect(truncate("abcdef", 0)).toBe("");
  });

  it("truncate never splits a surrogate pair", () => {
    expect(truncate("😀😀😀😀", 3)).toBe("😀😀…");
  });

  it("shorten gives one line of at most max characters", () => {
    const s = shorten("constructor failed:\nexit status 2 while running build.sh", 30);
    expect(s).toBe("constructor failed: exit stat…");
    expect(displayWidth(s)).toBe(30);
  });
});
