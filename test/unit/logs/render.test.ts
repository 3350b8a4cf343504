import { Chalk } from "chalk";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ByteBatch } from "../../../src/logs/byte-batch.js";
import { LogRenderer, type LogRenderOptions } from "../../../src/logs/render.js";
import { renderLog } from "../../helpers/render-log.js";

const TS = "2026-01-02T03:04:05Z";
const entry = (fields: Record<string, unknown>) => JSON.stringify({ timestamp: TS, source: "PROCESS", stage: "", content: "hi", ...fields });

/** Lines that have tripped up hand-written JSON scanners, and some that must not take the fast path. */
const CORPUS: string[] = [
  entry({ content: "plain content" }),
  entry({ source: "WRAPPER", stage: "SETUP", content: "pulling image" }),
  entry({ source: "WRAPPER", stage: "TURNDOWN", content: "bye" }),
  entry({ source: "WRAPPER", stage: "", content: "no stage" }),
  entry({ source: "WRAPPER", stage: "Mixed-Case_1", content: "x" }),
  entry({ source: "WRAPPER", stage: "ÉTAPE", content: "a stage beyond ASCII" }),
  entry({ source: "WRAPPER", stage: "SET\u007fUP", content: "DEL in a stage" }),
  entry({ source: "WRAPPERS", stage: "SETUP", content: "a longer source" }),
  entry({ source: "", stage: "", content: "no source" }),
  entry({ content: 'say "hi"' }),
  entry({ content: "back\\slash" }),
  `{"timestamp":"${TS}","source":"PROCESS","stage":"","content":"caf\\u00e9"}`,
  entry({ content: "raw unicode: héllo ✓ 日本 🚀" }),
  `{"timestamp":"${TS}","source":"PROCESS","stage":"","content":"pair \\ud83d\\ude80 lone \\ud83d"}`,
  entry({ content: "two\nlines" }),
  entry({ content: "tab\there" }),
  entry({ content: "\u001b[31mred\u001b[0m and \u001b]0;PWNED\u0007 title" }),
  entry({ content: "secret\rFAKE OK" }),
  entry({ content: "bidi \u202ereversed\u202c and \u2066isolate\u2069 \u200f" }),
  entry({ content: "progress 100%\r" }),
  entry({ content: "del\u007f and c1 \u0085 \u009b31m" }),
  entry({ content: "" }),
  `{"timestamp":"${TS}","source":"PROCESS","stage":"","content":"raw\u0001control"}`,
  `{"timestamp":"${TS}","source":"PROCESS","stage":""}`,
  `{"timestamp":"${TS}","source":"PROCESS","stage":"","content":"x","extra":1}`,
  `{"timestamp":"${TS}","source":"PROCESS","stage":"","content":"x","extra":"y"}`,
  `{"content":"reordered","stage":"SETUP","source":"WRAPPER","timestamp":"${TS}"}`,
  `{ "timestamp" : "${TS}" ,\t"source": "PROCESS", "stage":"" , "content" : "spaced" }  `,
  `{"timestamp":"${TS}","source":"PROCESS","stage":"","content":null}`,
  `{"timestamp":null,"source":"PROCESS","stage":"","content":"x"}`,
  `{"timestamp":"${TS}","source":"PROCESS","stage":"","content":"dup","content":"second"}`,
  `{"timestamp":"${TS}","source":"PROCESS","stage":"","content":3}`,
  `{"timestamp":"${TS}","source":"PROCESS","stage":"","content":["a"]}`,
  entry({ timestamp: "2026-01-02T03:04:05.123Z", content: "millis" }),
  entry({ timestamp: "2026-01-02T03:04:05.123456789Z", content: "nanos" }),
  entry({ timestamp: "2026-01-02T03:04:05+02:00", content: "offset" }),
  entry({ timestamp: "2026-01-02T24:00:00Z", content: "end of day" }),
  entry({ timestamp: "2026-02-30T10:00:00Z", content: "day overflow" }),
  entry({ timestamp: "2026-13-02T10:00:00Z", content: "bad month" }),
  entry({ timestamp: "2026-01-02T23:59:60Z", content: "leap second" }),
  entry({ timestamp: "2026-01-02t03:04:05z", content: "lower case" }),
  entry({ timestamp: "yesterday", content: "not a time" }),
  entry({ timestamp: "2026-01-02", content: "date only" }),
  "plain text line",
  "",
  "   indented plain",
  "{not json",
  "{}",
  "[1,2]",
  '{"timestamp":"x"',
  '{"timestamp":"' + TS + '","source":"PROCESS","stage":"","content":"unterminated}',
  "plain with \u001b[32mcolour\u001b[0m and \u0007 bell",
  "plain secret\rshown",
  "plain \u009b c1 and del \u007f",
  entry({ source: "PROCESS", stage: "BUILD", content: "process with a stage" }),
  entry({ source: "PROCESSX", content: "a longer source" }),
  entry({ source: "PROC", content: "a shorter source" }),
  entry({ timestamp: "2026-01-02T03:04:05.5Z", content: "tenths" }),
  entry({ timestamp: "2026-01-02T03:04:05.Z", content: "a dot, no digits" }),
  entry({ timestamp: "2026-00-02T03:04:05Z", content: "month zero" }),
  entry({ timestamp: "2026-01-00T03:04:05Z", content: "day zero" }),
  entry({ timestamp: "2026-01-02T03:60:05Z", content: "minute 60" }),
  entry({ timestamp: "2O26-01-02T03:04:05Z", content: "a letter in the year" }),
  // Each special byte at each offset of a word, raw (invalid JSON) or as it is in UTF-8.
  ...['"', "\\", "\u0001", "\u001f", "\u007f", "\u0085", "\u00c2"].flatMap((special) =>
    Array.from(
      { length: 9 },
      (_, k) => `{"timestamp":"${TS}","source":"PROCESS","stage":"","content":"${"a".repeat(k)}${special}${"b".repeat(8 - k)}"}`,
    ),
  ),
  ...Array.from({ length: 9 }, (_, k) => entry({ content: "c".repeat(k) })),
  entry({ content: "x".repeat(1024 * 1024) }),
  "p".repeat(1024 * 1024),
];

/** Bytes no JavaScript string holds: invalid UTF-8, and characters cleaning removes, in every place. */
const BYTE_CORPUS: Buffer[] = [
  ...[[0xff], [0xc0, 0xaf], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xc3]].flatMap((bad) => {
    const b = Buffer.from(bad);
    return [
      Buffer.concat([Buffer.from(`{"timestamp":"${TS}","source":"PROCESS","stage":"","content":"A`), b, Buffer.from('B"}')]),
      Buffer.concat([Buffer.from(`{"timestamp":"${TS}","source":"WRAP`), b, Buffer.from('PER","stage":"SETUP","content":"x"}')]),
      Buffer.concat([Buffer.from("plain "), b, Buffer.from(" text")]),
      Buffer.concat([Buffer.from(`{"timestamp":"${TS}","source":"PROCESS","stage":"","content":"tail`), b]),
    ];
  }),
  // Bidi controls and C1, as bytes in content and in plain text.
  ...["\u202e", "\u2066", "\u200f", "\u061c", "\u0085", "\u2028", "é", "\u{1f680}"].flatMap((ch) => [
    Buffer.from(entry({ content: `left ${ch} right` })),
    Buffer.from(`plain ${ch} text`),
  ]),
];

const plain = new Chalk({ level: 0 });
const colour = new Chalk({ level: 1 });
const MODES: Array<[string, LogRenderOptions]> = [
  ["raw into a pipe (bytes)", { raw: true, color: plain, clean: "bytes", fast: true }],
  ["raw, cleaned", { raw: true, color: plain, clean: "strip", fast: true }],
  ["rendered, no colour", { raw: false, color: plain, clean: "strip", fast: true }],
  ["rendered, colour (FORCE_COLOR into a pipe)", { raw: false, color: colour, clean: "sgr", fast: true }],
];

/** The bytes of a log: CRLF line endings on some lines, no newline after the last. */
function logBytes(lines: Buffer[]): Buffer {
  return Buffer.concat(lines.flatMap((line, i) => [line, Buffer.from(i === lines.length - 1 ? "" : i % 3 === 0 ? "\r\n" : "\n")]));
}

/** Chunk boundaries every `size` bytes. */
const every = (length: number, size: number) =>
  Array.from({ length: Math.ceil(length / size) }, (_, i) => (i + 1) * size).filter((at) => at < length);

describe("the log fast path", () => {
  const lines = [...CORPUS.map((line) => Buffer.from(line)), ...BYTE_CORPUS];
  const bytes = logBytes(lines);
  // Byte-sized chunks split every line and character; the 1 MB lines only make that slow.
  const small = logBytes(lines.filter((line) => line.length < 1000));
  for (const [name, opts] of MODES) {
    it(`gives byte-identical output to the general path: ${name}`, () => {
      for (const [input, sizes] of [
        [small, [1, 7]],
        [bytes, [4096, 65536, bytes.length]],
      ] as const) {
        const expected = renderLog(input, { ...opts, fast: false }, []);
        for (const size of sizes) {
          const got = renderLog(input, opts, every(input.length, size));
          expect(got.equals(expected), `chunks of ${size}`).toBe(true);
        }
      }
    });
  }

  afterEach(() => void vi.restoreAllMocks());

  it("really takes the fast path for the documented shape (it does not parse those lines)", () => {
    const parse = vi.spyOn(JSON, "parse");
    const input = Buffer.from(
      [entry({ content: "plain content" }), entry({ source: "WRAPPER", stage: "SETUP", content: "héllo ✓" }), "plain"].join("\n") + "\n",
    );
    for (const [, opts] of MODES) renderLog(input, opts, []);
    expect(parse).not.toHaveBeenCalled();
    renderLog(input, { ...MODES[2]![1], fast: false }, []);
    expect(parse).toHaveBeenCalled();
  });

  it("strips bidirectional controls in every cleaned mode, fast path included", () => {
    const input = Buffer.from(entry({ content: "a\u202eb\u2066c\u200fd" }) + "\nplain \u202e line\n");
    for (const [name, opts] of MODES.slice(1)) {
      const out = renderLog(input, opts, []).toString();
      expect(out, name).not.toMatch(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
      expect(out, name).toContain("abcd");
    }
  });

  it("renders UTC clock times marked Z, and the stage tag", () => {
    const opts = MODES[2]![1];
    expect(renderLog(Buffer.from(entry({ source: "WRAPPER", stage: "SETUP", content: "pull" }) + "\n"), opts, []).toString()).toBe(
      "03:04:05Z [setup] pull\n",
    );
    expect(renderLog(Buffer.from(entry({ timestamp: "2026-01-02T05:04:05+02:00" }) + "\n"), opts, []).toString()).toBe("03:04:05Z hi\n");
  });

  it("shows a line that is not UTF-8 with U+FFFD when rendered, and byte for byte with --raw into a pipe", () => {
    const line = Buffer.concat([
      Buffer.from(`{"timestamp":"${TS}","source":"PROCESS","stage":"","content":"A`),
      Buffer.of(0xff),
      Buffer.from('B"}\n'),
    ]);
    for (const [, opts] of MODES.slice(1)) {
      const out = renderLog(line, opts, []);
      expect(out.includes(0xff)).toBe(false);
      expect(out.toString()).toContain("A\ufffdB");
    }
    expect(renderLog(line, MODES[0]![1], []).equals(line)).toBe(true);
  });

  it("defers to cleaning for what cleanText removes, however many bytes it takes", () => {
    // U+009B (CSI as one C1 character) is two bytes in UTF-8; cleanText's definition decides.
    const line = Buffer.from(entry({ content: "abc\u009b31mevil" }) + "\n");
    for (const [, opts] of MODES.slice(1)) {
      expect(renderLog(line, opts, []).toString()).toBe(renderLog(line, { ...opts, fast: false }, []).toString());
      expect(renderLog(line, opts, []).toString()).not.toContain("\u009b");
    }
    expect(renderLog(line, MODES[0]![1], []).toString()).toBe("abc\u009b31mevil\n");
  });

  it("closes a build's own colour at the end of each line it is on", () => {
    const opts = MODES[3]![1];
    const out = renderLog(
      Buffer.from([entry({ source: "WRAPPER", stage: "SETUP", content: "\u001b[2mqueued\nnext" }), entry({ content: "after" })].join("\n") + "\n"),
      opts,
      [],
    );
    for (const line of out.toString().split("\n").filter(Boolean)) {
      const opened = line.lastIndexOf("\u001b[2m");
      expect(opened === -1 || /\u001b\[(0|22)m/.test(line.slice(opened)), JSON.stringify(line)).toBe(true);
    }
    expect(out.toString()).toContain("\u001b[2mqueued\u001b[22m\u001b[0m\n");
  });

  it("a ByteBatch keeps what it holds when it grows", () => {
    const batch = new ByteBatch(4);
    new LogRenderer(MODES[0]![1]).line(Buffer.from("0123456789"), 0, 10, batch);
    expect(batch.length).toBe(11);
  });
});
