import { describe, expect, it } from "vitest";
import { cleanText } from "../../../src/output/terminal-safe.js";

const HOSTILE = "title\u001b]0;PWNED\u0007 clear\u001b[2J\u001b[H clip\u001b]52;c;aGVsbG8=\u0007 \u001b[31mred\u001b[0m";

describe("cleanText", () => {
  it("keeps SGR colours on a colour terminal and removes every other sequence whole", () => {
    expect(cleanText(HOSTILE, "sgr")).toBe("title clear clip \u001b[31mred\u001b[0m");
  });

  it("strip: no escape code at all", () => {
    expect(cleanText(HOSTILE, "strip")).toBe("title clear clip red");
  });

  it("bytes: as it is", () => {
    expect(cleanText(HOSTILE, "bytes")).toBe(HOSTILE);
  });

  it("a carriage return keeps what was written after the last one; a trailing one is dropped", () => {
    expect(cleanText("secret\rFAKE OK", "strip")).toBe("FAKE OK");
    expect(cleanText("50%\r100%\r", "strip")).toBe("100%");
    expect(cleanText("a\rb\nc\rd", "strip")).toBe("b\nd");
  });

  it("removes hyperlinks, bells, backspaces and C1 controls, keeps tabs", () => {
    expect(cleanText("link \u001b]8;;https://x\u0007here\u001b]8;;\u0007 bell\u0007 back\bspace\ttab \u009b31m", "sgr")).toBe(
      "link here bell backspace\ttab 31m",
    );
  });

  it("a sequence that only looks like SGR is removed: private CSI and unterminated strings", () => {
    expect(cleanText("a\u001b[?25lb\u001b[31", "sgr")).toBe("ab");
    expect(cleanText("a\u001b]0;never ends", "sgr")).toBe("a");
  });
});

describe("bidirectional controls", () => {
  it("are removed in both cleaning modes", () => {
    for (const c of ["\u061c", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069"]) {
      expect(cleanText(`x${c}y`, "strip"), JSON.stringify(c)).toBe("xy");
      expect(cleanText(`x${c}y`, "sgr"), JSON.stringify(c)).toBe("xy");
    }
  });
});
