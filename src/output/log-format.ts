import type { ChalkInstance } from "chalk";
import type { LogEntry } from "../api/types.js";
import { cleanText, type CleanMode } from "./terminal-safe.js";

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
 * `HH:MM:SS [setup] content` (UTC; a stage tag only on the platform's WRAPPER lines);
 * anything else is shown as it is. The byte-level fast path (./log-render.ts) gives the
 * same output for the lines it handles, and hands every other line to this function.
 */
export function renderLogLine(line: string, opts: RenderLogOptions): string {
  return renderParsedLine(line, parseLogEntry(line), opts);
}

/** renderLogLine for a line already parsed (`entry`: parseLogEntry's answer for it). */
export function renderParsedLine(line: string, entry: LogEntry | undefined, opts: RenderLogOptions): string {
  const clean = opts.clean ?? "strip";
  if (!entry) return cleanText(line, clean);
  const content = cleanText(entry.content, clean);
  if (opts.raw) return content;
  const c = opts.color;
  const time = c.dim(formatClock(Date.parse(entry.timestamp)));
  if (entry.source === "WRAPPER") {
    // Platform lines are dimmed whole: the build's own output is what the reader looks for.
    const stage = cleanText((entry.stage || "platform").toLowerCase(), clean);
    return `${time} ${c.dim(`[${stage}] ${content}`)}`;
  }
  return `${time} ${content}`;
}

/**
 * One line of `logs --json` (NDJSON): the entry normalised to its four fields, in the API's
 * names; a plain-text line has only `content`. JSON escapes every control character.
 * `e`: parseLogEntry's answer for the line.
 */
export function renderLogJson(line: string, e: LogEntry | undefined): string {
  return JSON.stringify(e ? { timestamp: e.timestamp, source: e.source, stage: e.stage, content: e.content } : { content: line });
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

/** HH:MM:SS in UTC: the same on every machine, like every absolute time valar shows. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
}
