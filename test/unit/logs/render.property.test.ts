import { Chalk } from "chalk";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CiSections } from "../../../src/output/ci.js";
import type { LogRenderOptions } from "../../../src/logs/render.js";
import { renderLog } from "../../helpers/render-log.js";

const plain = new Chalk({ level: 0 });
const colour = new Chalk({ level: 1 });

/** Every way `valar builds logs` renders a log off a terminal (a fresh one per run: CI sections keep state). */
const MODES: Array<[string, () => LogRenderOptions]> = [
  ["--raw into a pipe", () => ({ raw: true, color: plain, clean: "bytes", fast: true })],
  ["--raw, cleaned", () => ({ raw: true, color: plain, clean: "strip", fast: true })],
  ["rendered", () => ({ raw: false, color: plain, clean: "strip", fast: true })],
  ["rendered in colour", () => ({ raw: false, color: colour, clean: "sgr", fast: true })],
  ["--json", () => ({ raw: false, json: true, color: plain, clean: "strip", fast: true })],
  ["GitHub Actions", () => ({ raw: false, color: plain, clean: "strip", fast: true, sections: new CiSections("github", () => 0), github: true })],
  ["GitLab CI", () => ({ raw: false, color: plain, clean: "strip", fast: true, sections: new CiSections("gitlab", () => 0) })],
];

const timestamp = fc.oneof(
  fc.date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("2999-12-31T23:59:59Z"), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ noInvalidDate: true, min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z") }).map((d) =>
    d
      .toISOString()
      .replace(".000Z", "Z")
      .replace(/\.(\d+)Z$/, ".$1123Z"),
  ),
  fc.constantFrom("2026-01-02T03:04:05+02:00", "2026-02-30T10:00:00Z", "2026-01-02T24:00:00Z", "not a time", "2026-01-02T03:04:05.Z"),
);
/** Text with everything a build may print: controls, escapes, bidi, lone surrogates, astral characters. */
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom(
      "a",
      " ",
      "é",
      "✓",
      "🚀",
      "\u202e",
      "\u2066",
      "\u200f",
      "\u061c",
      "\u0085",
      "\u009b",
      "\u001b[31m",
      "\r",
      "\t",
      '"',
      "\\",
      "\u007f",
      ":",
    ),
    maxLength: 20,
  }),
);
const entry = fc.record({
  timestamp,
  source: fc.oneof(fc.constantFrom("PROCESS", "WRAPPER"), text),
  stage: fc.oneof(fc.constantFrom("", "SETUP", "TURNDOWN", "Build"), text),
  content: text,
});
/** One line's bytes, without its line ending. */
const line = fc.oneof(
  entry.map((e) => Buffer.from(JSON.stringify(e))),
  // The keys in another order, spaced, or with one more.
  entry.map((e) =>
    Buffer.from(
      `{ "content" : ${JSON.stringify(e.content)}, "stage":${JSON.stringify(e.stage)},"source": ${JSON.stringify(e.source)} ,"timestamp":${JSON.stringify(e.timestamp)}}`,
    ),
  ),
  entry.map((e) => Buffer.from(JSON.stringify({ ...e, extra: 1 }))),
  text.map((t) => Buffer.from(t)),
  // Bytes as they come: invalid UTF-8 inside the JSON form and out of it.
  fc.tuple(entry, fc.uint8Array({ maxLength: 12 })).map(([e, junk]) => {
    const json = Buffer.from(JSON.stringify(e));
    const at = json.length - 2;
    return Buffer.concat([json.subarray(0, at), Buffer.from(junk.filter((b) => b !== 0x0a && b !== 0x22 && b !== 0x5c)), json.subarray(at)]);
  }),
  fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b)),
);
/** A log: lines with LF or CRLF endings (the last one maybe without), and where its chunks end. */
const log = fc
  .tuple(fc.array(fc.tuple(line, fc.constantFrom("\n", "\r\n")), { maxLength: 30 }), fc.boolean())
  .map(([lines, endsInNewline]) => {
    const parts = lines.flatMap(([l, end]) => [l, Buffer.from(end)]);
    if (!endsInNewline && parts.length > 0) parts.pop();
    return Buffer.concat(parts);
  })
  .chain((bytes) =>
    fc.tuple(
      fc.constant(bytes),
      fc
        .uniqueArray(fc.integer({ min: 1, max: Math.max(1, bytes.length - 1) }), { maxLength: 12 })
        .map((cuts) => cuts.filter((c) => c < bytes.length).sort((a, b) => a - b)),
    ),
  );

describe("the log's two paths (property: random logs, random chunks)", () => {
  for (const [name, mode] of MODES) {
    it(`give byte-identical output: ${name}`, () => {
      fc.assert(
        fc.property(log, ([bytes, cuts]) => {
          const fast = renderLog(bytes, mode(), cuts);
          const general = renderLog(bytes, { ...mode(), fast: false }, []);
          expect(fast.toString("latin1")).toBe(general.toString("latin1"));
        }),
        { numRuns: 300 },
      );
    });
  }
});
