import { isUtf8 } from "node:buffer";
import type { ChalkInstance } from "chalk";
import type { ByteBatch } from "./byte-batch.js";
import { cutLineText, decodeLogLine, renderLogJson, renderParsedLine } from "./format.js";
import type { LogEntry } from "../api/types.js";
import { defuseWorkflowCommands, sectionOfStage, type CiSections } from "../output/ci.js";
import type { CleanMode } from "../output/terminal-safe.js";
import { literal, literalLength, matchesLiteral, NOT_PLAIN, PLAIN_ASCII, scanJsonText, viewOf } from "./byte-scan.js";
import { needsCleaning } from "./needs-cleaning.js";

export interface LogRenderOptions {
  raw: boolean;
  color: ChalkInstance;
  clean: CleanMode;
  /**
   * Whether the byte-level fast path may be used. Off for a terminal: a terminal shows
   * lines far slower than they are parsed anyway.
   */
  fast: boolean;
  /** NDJSON of normalised entries instead of text (general path only). */
  json?: boolean;
  /** With json: each entry is a waiting command's `log` event (`{"event":"log",…entry}`). */
  logEvents?: boolean;
  /** Folds the platform's setup and turndown lines for a CI log viewer. */
  sections?: CiSections;
  /** In GitHub Actions: build output cannot start a line with a workflow command. */
  github?: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const NEWLINE = 0x0a;
const DIM_OPEN = Buffer.from("\u001b[2m");
const DIM_CLOSE = Buffer.from("\u001b[22m");
const WRAPPER = Buffer.from("WRAPPER");
const PLATFORM = Buffer.from("platform");
const KEYS = ["timestamp", "source", "stage", "content"].map((k) => Buffer.from(k));

/** Where the four fields of a log entry lie in its line (value bytes, quotes excluded). */
class EntrySpans {
  start = [0, 0, 0, 0];
  end = [0, 0, 0, 0];
  /** A field before the content holds DEL or a byte beyond ASCII: the line's UTF-8 must be checked. */
  high = false;
}
const TIMESTAMP = 0;
const SOURCE = 1;
const STAGE = 2;
const CONTENT = 3;

/**
 * Renders log lines into a ByteBatch: the one log path. Lines in the documented shape — a
 * flat JSON object of the four string fields, in any order and spacing, with no escapes in
 * their values and a UTC timestamp — are rendered straight from their bytes: the content
 * is copied, the clock is cut out of the timestamp, nothing is decoded or allocated.
 * Plain-text lines are copied too. Every other line (escapes, other fields, other types,
 * invalid JSON or UTF-8, an offset time, text to clean) takes the general path
 * (./format.ts), whose output the fast path reproduces byte for byte in every mode
 * (test/unit/logs/render.test.ts and the property test beside it hold it to that).
 */
export class LogRenderer {
  private readonly spans = new EntrySpans();
  private readonly color: boolean;

  constructor(private readonly opts: LogRenderOptions) {
    this.color = opts.color.level > 0;
  }

  /**
   * One line (bytes[start, end), no line ending) and its newline. `long`: the line was
   * longer than MAX_LINE_BYTES (./line-splitter.ts) — its pieces already went out through
   * piece(), or the bytes are its first part, shown with a note of what was cut.
   */
  line(bytes: Buffer, start: number, end: number, out: ByteBatch, long?: number): void {
    if (long !== undefined) return this.longLine(bytes, start, end, long, out);
    if (this.opts.fast && !this.opts.json && this.fast(bytes, start, end, out)) return;
    const line = decodeLogLine(bytes, start, end);
    if (!line.valid && this.opts.clean === "bytes" && !this.opts.json) {
      // Into a pipe or a file, a line that is not UTF-8 is passed on as it came.
      this.plainBytes(bytes, start, end, out);
      return;
    }
    this.parsed(line.text, line.entry, out);
  }

  /** A piece of a line too long to hold, streamed as it arrives (`--raw` into a pipe or a file only). */
  piece(bytes: Buffer, start: number, end: number, out: ByteBatch): void {
    out.bytes(bytes, start, end);
  }

  /** A decoded line, the general way (`entry`: parseLogEntry's answer for it). */
  parsed(line: string, entry: LogEntry | undefined, out: ByteBatch): void {
    if (this.opts.json) {
      out.text(renderLogJson(line, entry, this.opts.logEvents));
      out.byte(NEWLINE);
      return;
    }
    this.opts.sections?.enter(entry?.source === "WRAPPER" ? sectionOfStage(entry.stage) : undefined, out);
    const rendered = renderParsedLine(line, entry, this.opts);
    out.text(this.opts.github ? defuseWorkflowCommands(rendered) : rendered);
    out.byte(NEWLINE);
  }

  /** The end of the log: an open CI section is closed. */
  finish(out: ByteBatch): void {
    this.opts.sections?.close(out);
  }

  private longLine(b: Buffer, start: number, end: number, long: number, out: ByteBatch): void {
    if (this.opts.clean === "bytes" && !this.opts.json) {
      // Byte for byte, it was streamed (piece()): this is what came after the last piece.
      out.bytes(b, start, end);
      out.byte(NEWLINE);
      return;
    }
    this.parsed(cutLineText(b, start, end, long), undefined, out);
  }

  private plainBytes(b: Buffer, start: number, end: number, out: ByteBatch): void {
    this.opts.sections?.enter(undefined, out);
    out.bytes(b, start, end);
    out.byte(NEWLINE);
  }

  private fast(b: Buffer, start: number, end: number, out: ByteBatch): boolean {
    const cleaning = this.opts.clean !== "bytes";
    if (start === end || b[start] !== OPEN_BRACE) {
      if (cleaning && needsCleaning(b, start, end)) return false;
      // A colon first could be a workflow command (`::error::`): the general path defuses it.
      if (this.opts.github && b[start] === 0x3a) return false;
      this.plainBytes(b, start, end, out);
      return true;
    }
    const s = this.spans;
    s.high = false;
    if (!scanCanonical(b, start, end, s) && !scanEntry(b, start, end, s)) return false;
    const cs = s.start[CONTENT]!;
    const ce = s.end[CONTENT]!;
    const content = scanJsonText(b, cs, ce);
    if (content === NOT_PLAIN) return false;
    if (s.high || content !== PLAIN_ASCII) {
      // Not UTF-8: not an entry, the general path's. In a cleaning mode, no character that
      // cleaning would change may be copied (controls, bidi overrides…).
      if (!isUtf8(b.subarray(start, end))) return false;
      if (cleaning && content !== PLAIN_ASCII && needsCleaning(b, cs, ce)) return false;
    }
    if (this.opts.raw) {
      out.bytes(b, cs, ce);
      out.byte(NEWLINE);
      return true;
    }
    const wrapper = equalBytes(b, s.start[SOURCE]!, s.end[SOURCE]!, WRAPPER);
    if (wrapper && !plainAscii(b, s.start[STAGE]!, s.end[STAGE]!)) return false;
    this.opts.sections?.enter(wrapper ? sectionOfStage(b.toString("latin1", s.start[STAGE], s.end[STAGE])) : undefined, out);
    const ts = s.start[TIMESTAMP]!;
    if (this.color) out.bytes(DIM_OPEN, 0, DIM_OPEN.length);
    out.bytes(b, ts + 11, ts + 19);
    out.byte(0x5a); // Z: the clock is UTC
    if (this.color) out.bytes(DIM_CLOSE, 0, DIM_CLOSE.length);
    out.byte(0x20);
    if (wrapper) {
      if (this.color) out.bytes(DIM_OPEN, 0, DIM_OPEN.length);
      out.byte(0x5b);
      const ss = s.start[STAGE]!;
      const se = s.end[STAGE]!;
      if (ss === se) out.bytes(PLATFORM, 0, PLATFORM.length);
      else for (let i = ss; i < se; i++) out.byte(lowerAscii(b[i]!));
      out.byte(0x5d);
      out.byte(0x20);
      out.bytes(b, cs, ce);
      if (this.color) out.bytes(DIM_CLOSE, 0, DIM_CLOSE.length);
    } else {
      out.bytes(b, cs, ce);
    }
    out.byte(NEWLINE);
    return true;
  }
}

function isJsonSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

function skipSpace(b: Buffer, i: number, end: number): number {
  while (i < end && isJsonSpace(b[i])) i++;
  return i;
}

/**
 * Finds the four fields of a simple entry line. False means "not for the fast path" (the
 * general path decides what the line is), never "not an entry".
 */
function scanEntry(b: Buffer, start: number, end: number, spans: EntrySpans): boolean {
  let seen = 0;
  let i = skipSpace(b, start + 1, end);
  for (;;) {
    if (b[i] !== QUOTE) return false;
    const ks = i + 1;
    // Keys are short: a loop beats a native indexOf call.
    let ke = ks;
    while (ke < end && b[ke] !== QUOTE) ke++;
    if (ke >= end) return false;
    const key = keyIndex(b, ks, ke);
    if (key === -1 || seen & (1 << key)) return false;
    seen |= 1 << key;
    i = skipSpace(b, ke + 1, end);
    if (b[i] !== 0x3a) return false;
    i = skipSpace(b, i + 1, end);
    if (b[i] !== QUOTE) return false;
    const j = scanValue(b, i + 1, end, spans, key);
    if (j < 0) return false;
    i = skipSpace(b, j + 1, end);
    if (b[i] === 0x2c) {
      i = skipSpace(b, i + 1, end);
      continue;
    }
    if (b[i] !== CLOSE_BRACE) return false;
    if (skipSpace(b, i + 1, end) !== end) return false;
    break;
  }
  return seen === 0b1111 && utcTimestamp(b, spans.start[TIMESTAMP]!, spans.end[TIMESTAMP]!);
}

const OPEN = literal('{"timestamp":"');
// After the timestamp's Z: the commonest rest of a line's head, a build process's output.
const PROCESS_HEAD = literal('Z","source":"PROCESS","stage":"","content":"');
const SOURCE_KEY = literal('","source":"');
const STAGE_KEY = literal('","stage":"');
const CONTENT_KEY = literal('","content":"');
// The shortest canonical line: every key, a 20-byte timestamp, empty values, `"}`.
const SHORTEST_CANONICAL = literalLength(OPEN) + 20 + literalLength(SOURCE_KEY) + literalLength(STAGE_KEY) + literalLength(CONTENT_KEY) + 2;

/**
 * scanEntry for the canonical form, with no key lookups or space skipping: most lines of
 * most logs. Keys and separators are compared four bytes at a time and the timestamp is
 * checked where it stands; the content, last and longest, ends the line (`"}`) and is
 * checked by the caller. False sends the line to scanEntry, which takes any order and spacing.
 */
function scanCanonical(b: Buffer, start: number, end: number, spans: EntrySpans): boolean {
  if (end - start < SHORTEST_CANONICAL || !matchesLiteral(b, start, OPEN)) return false;
  const ts = start + literalLength(OPEN);
  const z = utcTimestampEnd(b, ts, end);
  if (z < 0) return false;
  spans.start[TIMESTAMP] = ts;
  spans.end[TIMESTAMP] = z + 1;
  let i: number;
  if (z + literalLength(PROCESS_HEAD) <= end && matchesLiteral(b, z, PROCESS_HEAD)) {
    spans.start[SOURCE] = z + 13;
    spans.end[SOURCE] = z + 20;
    spans.start[STAGE] = spans.end[STAGE] = z + 31;
    i = z + literalLength(PROCESS_HEAD);
  } else {
    i = z + 1;
    for (const [key, field] of [
      [SOURCE_KEY, SOURCE],
      [STAGE_KEY, STAGE],
    ] as const) {
      if (i + literalLength(key) > end || !matchesLiteral(b, i, key)) return false;
      i = scanValue(b, i + literalLength(key), end, spans, field);
      if (i < 0) return false;
    }
    if (i + literalLength(CONTENT_KEY) > end || !matchesLiteral(b, i, CONTENT_KEY)) return false;
    i += literalLength(CONTENT_KEY);
  }
  const ce = end - 2;
  if (ce < i || b[ce] !== QUOTE || b[end - 1] !== CLOSE_BRACE) return false;
  // A quote inside (`"a","x":"b"}`) is another shape: scanJsonText refuses it.
  spans.start[CONTENT] = i;
  spans.end[CONTENT] = ce;
  return true;
}

/**
 * A string value from its first byte to its closing quote: its span goes into `spans`, and
 * the quote's index is returned. -1 for an escape, a raw control character (invalid JSON) or
 * no closing quote on the line: the general path's business. The one loop over every byte
 * of a line, kept to the fewest tests per byte.
 */
function scanValue(b: Buffer, start: number, end: number, spans: EntrySpans, field: number): number {
  let high = false;
  let j = start;
  for (; j < end; j++) {
    const c = b[j]!;
    if (c === QUOTE) break;
    if (c < 0x20 || c === BACKSLASH) return -1;
    if (c >= 0x7f) high = true;
  }
  if (j >= end) return -1;
  spans.start[field] = start;
  spans.end[field] = j;
  if (high) spans.high = true;
  return j;
}

function keyIndex(b: Buffer, start: number, end: number): number {
  for (let k = 0; k < KEYS.length; k++) {
    if (equalBytes(b, start, end, KEYS[k]!)) return k;
  }
  return -1;
}

function equalBytes(b: Buffer, start: number, end: number, word: Buffer): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (b[start + i] !== word[i]) return false;
  return true;
}

function digit(c: number | undefined): number {
  return ((c ?? -1) - 0x30) >>> 0;
}

/** Two digits at b[at], at most `max`; -1 when they are not. */
function twoDigits(b: Buffer, at: number, max: number): number {
  const hi = digit(b[at]);
  const lo = digit(b[at + 1]);
  if (hi > 9 || lo > 9) return -1;
  const v = hi * 10 + lo;
  return v <= max ? v : -1;
}

// The date and hour of the last timestamp found valid, as the four words that cover its
// first 14 bytes: consecutive lines of a log mostly share them.
let validHead = [0, 0, 0, 0];
let headValid = false;

/**
 * `YYYY-MM-DDTHH:MM:SS[.fraction]Z` from b[s], within `end`, with in-range fields: then
 * HH:MM:SS are the clock the general path prints, bytes 11–19. Returns the index of the Z,
 * or -1 for anything else (offsets, 24:00, other forms Date.parse may take: the general way).
 * A date and hour equal to the last valid one's are not checked again.
 */
function utcTimestampEnd(b: Buffer, s: number, end: number): number {
  if (end - s < 20) return -1;
  const v = viewOf(b);
  const w0 = v.getInt32(s, true);
  const w1 = v.getInt32(s + 4, true);
  const w2 = v.getInt32(s + 8, true);
  const w3 = v.getInt32(s + 10, true);
  if (!headValid || w0 !== validHead[0] || w1 !== validHead[1] || w2 !== validHead[2] || w3 !== validHead[3]) {
    if (b[s + 4] !== 0x2d || b[s + 7] !== 0x2d || b[s + 10] !== 0x54 || b[s + 13] !== 0x3a) return -1;
    if (twoDigits(b, s, 99) < 0 || twoDigits(b, s + 2, 99) < 0) return -1;
    if (twoDigits(b, s + 5, 12) < 1 || twoDigits(b, s + 8, 31) < 1 || twoDigits(b, s + 11, 23) < 0) return -1;
    validHead = [w0, w1, w2, w3];
    headValid = true;
  }
  if (b[s + 16] !== 0x3a || twoDigits(b, s + 14, 59) < 0 || twoDigits(b, s + 17, 59) < 0) return -1;
  let i = s + 19;
  if (b[i] === 0x2e) {
    i++;
    const first = i;
    while (i < end && digit(b[i]) <= 9) i++;
    if (i === first) return -1;
  }
  return i < end && b[i] === 0x5a ? i : -1;
}

/** utcTimestampEnd for a whole value: bytes[s, e) are the timestamp and nothing else. */
function utcTimestamp(b: Buffer, s: number, e: number): boolean {
  return utcTimestampEnd(b, s, e) === e - 1;
}

function plainAscii(b: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function lowerAscii(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}
