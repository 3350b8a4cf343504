import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import { LineSplitter, splitLines } from "../../../src/builds/lines.js";
import { ByteBatch } from "../../../src/output/byte-batch.js";
import { renderLogLine } from "../../../src/output/log-format.js";
import { LogRenderer, type LogRenderOptions } from "../../../src/output/log-render.js";
import { COLOUR, FORMATTED, RAW, WasmLogLines } from "../../../src/output/log-lines.js";
import { Writable } from "node:stream";

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
  "{\"timestamp\":\"" + TS + "\",\"source\":\"PROCESS\",\"stage\":\"\",\"content\":\"unterminated}",
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
    Array.from({ length: 9 }, (_, k) => `{"timestamp":"${TS}","source":"PROCESS","stage":"","content":"${"a".repeat(k)}${special}${"b".repeat(8 - k)}"}`),
  ),
  ...Array.from({ length: 9 }, (_, k) => entry({ content: "c".repeat(k) })),
  entry({ content: "x".repeat(1024 * 1024) }),
  "p".repeat(1024 * 1024),
];

const plain = new Chalk({ level: 0 });
const colour = new Chalk({ level: 1 });
const MODES: Array<[string, LogRenderOptions]> = [
  ["raw into a pipe (bytes)", { raw: true, color: plain, clean: "bytes", fast: true }],
  ["raw, cleaned", { raw: true, color: plain, clean: "strip", fast: true }],
  ["rendered, no colour", { raw: false, color: plain, clean: "strip", fast: true }],
  ["rendered, colour (FORCE_COLOR into a pipe)", { raw: false, color: colour, clean: "sgr", fast: true }],
];

/** The text of a log: CRLF line endings on some lines, no newline after the last. */
function logText(lines: string[]): string {
  return lines.map((line, i) => line + (i === lines.length - 1 ? "" : i % 3 === 0 ? "\r\n" : "\n")).join("");
}

/**
 * The fast path: bytes through the splitter in chunks of awkward sizes, into a ByteBatch;
 * with `wasm`, runs of lines through the WebAssembly renderer (as `--raw` into a pipe does).
 */
function fastOutput(text: string, opts: LogRenderOptions, chunkSize: number, wasm?: WasmLogLines): Buffer {
  const renderer = new LogRenderer(opts);
  const batch = new ByteBatch(16);
  const parts: Buffer[] = [];
  const sink = new Writable({ write: (c, _e, cb) => (parts.push(Buffer.from(c)), cb()) });
  const splitter = new LineSplitter();
  const bytes = Buffer.from(text);
  const onLine = (b: Buffer, s: number, e: number) => renderer.line(b, s, e, batch);
  const bulk = wasm && {
    take: (b: Buffer, s: number, e: number, each: typeof onLine) => wasm.take(b, s, e, batch, each),
    taken: 0,
  };
  for (let at = 0; at < bytes.length; at += chunkSize) {
    splitter.push(bytes.subarray(at, at + chunkSize), onLine, bulk);
    void batch.flush(sink);
  }
  splitter.end(onLine);
  void batch.flush(sink);
  return Buffer.concat(parts);
}

/** The general path: each decoded line through renderLogLine, JSON.parse and all. */
function generalOutput(text: string, opts: LogRenderOptions): Buffer {
  return Buffer.from(splitLines([Buffer.from(text)]).map((line) => renderLogLine(line, opts) + "\n").join(""));
}

describe("the log fast path", () => {
  const text = logText(CORPUS);
  // Byte-sized chunks split every line and character; the 1 MB lines only make that slow.
  const small = logText(CORPUS.filter((line) => line.length < 1000));
  for (const [name, opts] of MODES) {
    it(`gives byte-identical output to the general path: ${name}`, () => {
      for (const [input, sizes] of [
        [small, [1, 7]],
        [text, [4096, 65536, text.length]],
      ] as const) {
        const expected = generalOutput(input, opts);
        for (const chunkSize of sizes) {
          const got = fastOutput(input, opts, chunkSize);
          expect(got.equals(expected), `chunks of ${chunkSize}`).toBe(true);
        }
      }
    });
  }

  // The modes print.ts gives the module: --raw into a pipe, and rendered (cleaned) with or without colour.
  const WASM_MODES: Array<[string, LogRenderOptions, number]> = [
    [MODES[0]![0], MODES[0]![1], RAW],
    [MODES[2]![0], MODES[2]![1], FORMATTED],
    [MODES[3]![0], MODES[3]![1], FORMATTED | COLOUR],
  ];
  for (const [name, opts, mode] of WASM_MODES) {
    it(`the WebAssembly renderer gives byte-identical output to the general path: ${name}`, () => {
      for (const [input, sizes] of [
        [small, [1, 7, 100]],
        [text, [4096, 65536, 300_000, text.length]],
      ] as const) {
        const expected = generalOutput(input, opts);
        for (const chunkSize of sizes) {
          const wasm = new WasmLogLines(mode);
          const got = fastOutput(input, opts, chunkSize, wasm);
          expect(got.equals(expected), `chunks of ${chunkSize}`).toBe(true);
          if (chunkSize > 1000) expect(wasm.taken, `chunks of ${chunkSize}`).toBeGreaterThan(20);
        }
      }
    });

    it(`the WebAssembly renderer takes the documented shape and plain text across its window's edges: ${name}`, () => {
      // ~1.3 MB of lines of every length round the 256 KiB window, in one chunk and in odd ones.
      const stages = ["", "SETUP", "TURNDOWN", "Mixed-Case_1"];
      const lines = Array.from({ length: 20_000 }, (_, i) =>
        i % 7 === 3
          ? `plain ${"p".repeat(i % 50)}`
          : entry({
              timestamp: `2026-01-02T03:${String(i % 60).padStart(2, "0")}:05.${i}Z`,
              source: i % 5 ? "PROCESS" : "WRAPPER",
              stage: stages[i % 4],
              content: "c".repeat(i % 90),
            }),
      );
      const input = lines.join("\n") + "\n";
      const expected = generalOutput(input, opts);
      for (const chunkSize of [input.length, 262_143, 100_003]) {
        const wasm = new WasmLogLines(mode);
        expect(fastOutput(input, opts, chunkSize, wasm).equals(expected), `chunks of ${chunkSize}`).toBe(true);
        // every line but those the splitter carried over a chunk's edge
        expect(wasm.taken).toBeGreaterThan(lines.length - Math.ceil(input.length / chunkSize) - 1);
      }
    });
  }

  it("really takes the fast path for the documented shape (it does not decode those lines)", () => {
    const opts = MODES[2]![1];
    const renderer = new LogRenderer(opts);
    const batch = new ByteBatch();
    // A byte that is not valid UTF-8 survives only if the line was copied, not decoded.
    const line = Buffer.concat([Buffer.from(`{"timestamp":"${TS}","source":"PROCESS","stage":"","content":"A`), Buffer.from([0xff]), Buffer.from('B"}')]);
    renderer.line(line, 0, line.length, batch);
    const out: Buffer[] = [];
    void batch.flush(new Writable({ write: (c, _e, cb) => (out.push(Buffer.from(c)), cb()) }));
    expect(Buffer.concat(out).includes(0xff)).toBe(true);
  });

  it("renders UTC clock times and the stage tag", () => {
    const opts = MODES[2]![1];
    expect(fastOutput(entry({ source: "WRAPPER", stage: "SETUP", content: "pull" }) + "\n", opts, 64).toString()).toBe(
      "03:04:05 [setup] pull\n",
    );
    expect(fastOutput(entry({ timestamp: "2026-01-02T05:04:05+02:00" }) + "\n", opts, 64).toString()).toBe("03:04:05 hi\n");
  });
});
