import type { ChalkInstance } from "chalk";
import type { LogEntry } from "../api/types.js";

export interface RenderLogOptions {
  /** Only the content of a JSON line; plain lines stay as they are. */
  raw?: boolean;
  /** Colours of the stream the line goes to (level 0 when colour is off). */
  color: ChalkInstance;
}

/**
 * One log line for display: the JSON form becomes `HH:MM:SS [setup] content` (local time;
 * a stage tag only on the platform's WRAPPER lines); anything else is shown as it is.
 */
export function renderLogLine(line: string, opts: RenderLogOptions): string {
  const entry = parseLogEntry(line);
  if (!entry) return line;
  if (opts.raw) return entry.content;
  const c = opts.color;
  const time = c.dim(formatClock(new Date(Date.parse(entry.timestamp))));
  if (entry.source === "WRAPPER") {
    // Platform lines are dimmed whole: the build's own output is what the reader looks for.
    return `${time} ${c.dim(`[${(entry.stage || "platform").toLowerCase()}] ${entry.content}`)}`;
  }
  return `${time} ${entry.content}`;
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

function formatClock(d: Date): string {
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
}
