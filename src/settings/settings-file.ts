import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";

/**
 * Reading a small file valar takes settings or rules from (.valar.yml, .gitignore,
 * .valarignore, the stored config.json, Valar's Go CLI config) without trusting what sits
 * at that path. The open never blocks (O_NONBLOCK: a FIFO opens at once, with no writer
 * needed) and the checks are made on the descriptor (fstat), so a FIFO, a device or an
 * oversized file is never read, and what was checked is what is read. Symlinks are
 * followed, as any program reading its settings does.
 */

/** The largest such file read: 1 MiB, far beyond any real settings or ignore file. */
export const MAX_SETTINGS_FILE_BYTES = 1024 * 1024;

export type SettingsFile =
  | { kind: "read"; text: string; stats: Stats }
  | { kind: "missing" }
  /** Not read, and why, as the end of a warning ("it is a FIFO, not a regular file"). */
  | { kind: "skipped"; reason: string };

/**
 * The file's text, or that there is none, or why it was not read. Other failures to open
 * it (EACCES, ELOOP…) are thrown as they are, for the caller to word.
 */
export function readSettingsFile(path: string, maxBytes = MAX_SETTINGS_FILE_BYTES): SettingsFile {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { kind: "missing" };
    // What opening a Unix socket says.
    if (code === "ENXIO") return { kind: "skipped", reason: "it is a socket, not a regular file" };
    throw err;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { kind: "skipped", reason: `it is ${describeKind(stats)}, not a regular file` };
    if (stats.size > maxBytes) return { kind: "skipped", reason: tooLarge(maxBytes) };
    // One byte more than allowed: a file that grew since fstat is still caught.
    const buffer = Buffer.allocUnsafe(Math.min(stats.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > maxBytes) return { kind: "skipped", reason: tooLarge(maxBytes) };
      if (length === buffer.length) break;
    }
    return { kind: "read", text: buffer.toString("utf8", 0, length), stats };
  } finally {
    closeSync(fd);
  }
}

function tooLarge(maxBytes: number): string {
  return maxBytes >= 1024 * 1024 ? `it is larger than ${maxBytes / (1024 * 1024)} MiB` : `it is larger than ${maxBytes} bytes`;
}

function describeKind(stats: Stats): string {
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a FIFO";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  return "a special file";
}
