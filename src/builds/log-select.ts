import type { LogEntry } from "../api/types.js";

/** Which entries `builds logs` shows (--tail, --since, --source). */
export interface LogSelection {
  /** Only the last N entries. */
  tail?: number;
  /** Only entries at or after this time (ms since the epoch). */
  sinceMs?: number;
  /** process: the build's own output; wrapper: the platform's. */
  source?: "process" | "wrapper";
}

export function isSelecting(sel: LogSelection | undefined): sel is LogSelection {
  return sel !== undefined && (sel.tail !== undefined || sel.sinceMs !== undefined || sel.source !== undefined);
}

/**
 * Decides line by line, in log order. A plain-text line has no time or source of its own:
 * it goes with the entry before it for --since (none before it: left out), and counts as
 * the build's own output for --source.
 */
export class LogSelector {
  private lastTime: number | undefined;

  constructor(private readonly sel: LogSelection) {}

  /** `entry`: parseLogEntry's answer for the line (undefined for plain text). */
  accepts(entry: LogEntry | undefined): boolean {
    if (entry) this.lastTime = Date.parse(entry.timestamp);
    if (this.sel.source) {
      const wrapper = entry?.source === "WRAPPER";
      if ((this.sel.source === "wrapper") !== wrapper) return false;
    }
    if (this.sel.sinceMs !== undefined && (this.lastTime === undefined || this.lastTime < this.sel.sinceMs)) return false;
    return true;
  }
}

/** The last N lines given to it: memory for N lines, however long the log. */
export class TailBuffer<T> {
  private readonly lines: T[] = [];
  private next = 0;

  constructor(private readonly size: number) {}

  push(line: T): void {
    if (this.size === 0) return;
    if (this.lines.length < this.size) this.lines.push(line);
    else this.lines[this.next] = line;
    this.next = (this.next + 1) % this.size;
  }

  /** The kept lines, oldest first; the buffer is empty afterwards. */
  drain(): T[] {
    const out = this.lines.length < this.size ? this.lines.slice() : [...this.lines.slice(this.next), ...this.lines.slice(0, this.next)];
    this.lines.length = 0;
    this.next = 0;
    return out;
  }
}
