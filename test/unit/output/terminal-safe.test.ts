import { describe, expect, it } from "vitest";
import { cleanText, hasControlBytes } from "../../../src/output/terminal-safe.js";

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

describe("hasControlBytes", () => {
  const bytes = (s: string) => Buffer.from(s);
  it("finds C0 (not tab), DEL and UTF-8 C1; not ordinary text or other multi-byte characters", () => {
    expect(hasControlBytes(bytes("plain\ttext é ✓ 🚀"), 0, bytes("plain\ttext é ✓ 🚀").length)).toBe(false);
    for (const s of ["a\u001bb", "a\u0007", "a\u007f", "a\u0085b", "\r"]) expect(hasControlBytes(bytes(s), 0, bytes(s).length), JSON.stringify(s)).toBe(true);
  });

  it("finds every bidi control in UTF-8, and agrees with cleanText on every code point of their blocks", () => {
    for (const c of ["\u061c", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069"]) {
      expect(hasControlBytes(bytes(`x${c}y`), 0, bytes(`x${c}y`).length), JSON.stringify(c)).toBe(true);
      expect(cleanText(`x${c}y`, "strip")).toBe("xy");
    }
    for (const block of [0x0600, 0x2000]) {
      for (let cp = block; cp < block + 0x100; cp++) {
        const s = String.fromCodePoint(cp);
        expect(hasControlBytes(bytes(s), 0, bytes(s).length), cp.toString(16)).toBe(cleanText(s, "strip") !== s);
      }
    }
  });
});
