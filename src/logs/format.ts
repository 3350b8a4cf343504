import { isUtf8 } from "node:buffer";
import type { ChalkInstance } from "chalk";
import type { LogEntry } from "../api/types.js";
import { cleanText, type CleanMode } from "../output/terminal-safe.js";

export interface RenderLogOptions {
  /** Only the content of a JSON line; plain lines stay as they are. */
  raw?: boolean;
  /** Colours of the stream the line goes to (level 0 when colour is off). */
  color: ChalkInstance;
  /** How server text is made safe for where it goes (default: no escape codes at all). */
  clean?: CleanMode;
}

/**
 * One log line for display, the general path: the JSON form becomes
 * `HH:MM:SSZ [setup] content` (UTC, said by the Z; a stage tag only on the platform's
 * WRAPPER lines); anything else is shown as it is. The byte-level fast path (./render.ts)
 * gives the same output for the lines it handles, and hands every other line to this one.
 */
export function renderLogLine(line: string, opts: RenderLogOptions): string {
  return renderParsedLine(line, parseLogEntry(line), opts);
}

/** renderLogLine for a line already parsed (`entry`: parseLogEntry's answer for it). */
export function renderParsedLine(line: string, entry: LogEntry | undefined, opts: RenderLogOptions): string {
  const clean = opts.clean ?? "strip";
  if (!entry) return closeStyles(cleanText(line, clean), clean);
  const content = cleanText(entry.content, clean);
  if (opts.raw) return closeStyles(content, clean);
  if (clean === "sgr" && content.includes("\u001b")) return closeStyles(renderEntry(entry, content, opts.color, clean), clean);
  return renderEntry(entry, content, opts.color, clean);
}

function renderEntry(entry: LogEntry, content: string, c: ChalkInstance, clean: CleanMode): string {
  const time = c.dim(formatClock(Date.parse(entry.timestamp)));
  if (entry.source === "WRAPPER") {
    // Platform lines are dimmed whole: the build's own output is what the reader looks for.
    const stage = cleanText((entry.stage || "platform").toLowerCase(), clean);
    return `${time} ${c.dim(`[${stage}] ${content}`)}`;
  }
  return `${time} ${content}`;
}

const RESET = "\u001b[0m";

/**
 * A build's own colour codes (kept on a colour terminal) end with each line they are on, so
 * a line copied or grepped alone carries no style open from the one before it (valar's own
 * dim is closed by chalk, which also closes and reopens it round a newline).
 */
function closeStyles(text: string, clean: CleanMode): string {
  if (clean !== "sgr" || !text.includes("\u001b")) return text;
  return text
    .split("\n")
    .map((segment) => (segment.includes("\u001b") ? segment + RESET : segment))
    .join("\n");
}

/** A line of bytes decoded: its text and, for the JSON form, its entry. */
export interface DecodedLine {
  text: string;
  entry: LogEntry | undefined;
  /** Valid UTF-8. A line that is not is never an entry (JSON is UTF-8): it is plain text. */
  valid: boolean;
}

/** The general path's reading of bytes[start, end): invalid UTF-8 becomes U+FFFD in the text. */
export function decodeLogLine(bytes: Buffer, start: number, end: number): DecodedLine {
  const valid = isUtf8(bytes.subarray(start, end));
  const text = bytes.toString("utf8", start, end);
  return { text, entry: valid ? parseLogEntry(text) : undefined, valid };
}

/**
 * One line of `logs --json` (NDJSON): the entry normalised to its four fields, in the API's
 * names; a plain-text line has only `content`. JSON escapes every control character.
 * `asEvent`: the line is a waiting command's `log` event (`submit -f --json`).
 * `e`: parseLogEntry's answer for the line.
 */
export function renderLogJson(line: string, e: LogEntry | undefined, asEvent = false): string {
  const entry = e ? { timestamp: e.timestamp, source: e.source, stage: e.stage, content: e.content } : { content: line };
  return JSON.stringify(asEvent ? { event: "log", ...entry } : entry);
}

/** The JSON form of a log line, or undefined for plain text or any other shape. */
export function parseLogEntry(line: string): LogEntry | undefined {
  if (!line.startsWith("{")) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  for (const key of ["timestamp", "source", "stage", "content"]) {
    if (typeof v[key] !== "string") return undefined;
  }
  if (Number.isNaN(Date.parse(v.timestamp as string))) return undefined;
  return v as unknown as LogEntry;
}

/** HH:MM:SSZ: UTC, the same on every machine like every absolute time valar shows, and marked as such. */
function formatClock(ms: number): string {
  const d = new Date(ms);
  return [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()].map((n) => String(n).padStart(2, "0")).join(":") + "Z";
}

/**
 * A line longer than MAX_LINE_BYTES (./line-splitter.ts) as shown: its first part and how
 * long it was. Never an entry: its JSON, if it had any, is cut.
 */
export function cutLineText(bytes: Buffer, start: number, end: number, long: number): string {
  return `${bytes.toString("utf8", start, end)} … [line cut: ${long} bytes]`;
}
