/** Units of a relative time: long name, short name, seconds. */
const UNITS: Array<[string, string, number]> = [
  ["year", "y", 365 * 24 * 3600],
  ["month", "mo", 30 * 24 * 3600],
  ["day", "d", 24 * 3600],
  ["hour", "h", 3600],
  ["minute", "m", 60],
  ["second", "s", 1],
];

/** A server clock a little ahead of ours must not make a new build look like it is "in 20 seconds". */
const SKEW_SECONDS = 60;

function relative(iso: string, now: number, compact: boolean): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const diff = Math.round((now - t) / 1000);
  if (diff < 5 && diff > -SKEW_SECONDS) return compact ? "now" : "just now";
  const abs = Math.abs(diff);
  const [name, short, seconds] = UNITS.find(([, , s]) => abs >= s) ?? UNITS[UNITS.length - 1]!;
  const n = Math.floor(abs / seconds);
  const phrase = compact ? `${n}${short}` : `${n} ${name}${n === 1 ? "" : "s"}`;
  return diff >= 0 ? `${phrase} ago` : `in ${phrase}`;
}

/** "3 minutes ago", "just now", "in 2 hours"; the raw text when it is not a date. */
export function relativeTime(iso: string, now: number): string {
  return relative(iso, now, false);
}

/** relativeTime for a narrow terminal: "3m ago", "2h ago", "now", "in 5m". */
export function compactRelativeTime(iso: string, now: number): string {
  return relative(iso, now, true);
}

/**
 * "2025-06-01 14:20:00 UTC": an absolute time that reads the same on every machine, so
 * output pasted into an issue or compared in CI does not depend on the local time zone.
 */
export function absoluteTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");
}

/** "2025-06-01T14:20:00Z": ISO 8601 in UTC to the second; the raw text when it is not a date. */
export function isoTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t).toISOString().replace(/\.\d+Z$/, "Z");
}

/** "1m 05s", "42s", "2h 03m": for elapsed-time displays. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, "0")}s`;
  return `${sec}s`;
}

/**
 * A build's duration: "1.9s" under 10 s, "42s", "1m 23s", "2h 03m". Rounded to what is
 * shown (never floored), so a 1.85 s build is "1.9s" and 59.6 s is "1m 00s".
 */
export function formatDuration(ms: number): string {
  const tenths = Math.round(Math.max(0, ms) / 100);
  if (tenths < 100) return `${(tenths / 10).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s >= 3600) {
    const m = Math.round(s / 60);
    return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
  }
  if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}
