import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";

const TMP_SUFFIX = ".tmp";

/**
 * Writes a file so a reader (or a restart after a crash or a full disk) sees either the
 * old or the new content, never half of it: a temporary file, fsync, then rename. A
 * failed write (ENOSPC) leaves the old file and no temporary behind, and throws.
 */
export function writeFileAtomic(path: string, data: string, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = temporaryFor(path);
  try {
    const fd = openSync(tmp, "w", mode);
    try {
      writeAll(fd, Buffer.from(data));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw namingFile(err, path, tmp);
  }
}

/**
 * writeFileAtomic off the event loop: the writes and the fsync run in Node's thread pool,
 * so a slow disk holds up this file, not every request the server is answering.
 */
export async function writeFileAtomicAsync(path: string, data: string, mode = 0o600): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = temporaryFor(path);
  try {
    const file = await open(tmp, "w", mode);
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw namingFile(err, path, tmp);
  }
}

/** The temporary a new version of `path` is written to, beside it. */
function temporaryFor(path: string): string {
  return `${path}.${randomBytes(6).toString("hex")}${TMP_SUFFIX}`;
}

/** The file meant, not its temporary, is what an error message should name. */
function namingFile(err: unknown, path: string, tmp: string): unknown {
  const e = err as NodeJS.ErrnoException;
  if (e.path === undefined || e.path === tmp) e.path = path;
  return err;
}

/** writeSync may write less than asked (a disk filling up): loop until all is written. */
export function writeAll(fd: number, data: Buffer): void {
  for (let done = 0; done < data.length;) {
    const n = writeSync(fd, data, done, data.length - done);
    if (n === 0) throw Object.assign(new Error("write made no progress"), { code: "EIO" });
    done += n;
  }
}

/** Removes the temporaries of writes a crash interrupted (files only, in dir itself). */
export function removeStaleTemporaries(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) if (name.endsWith(TMP_SUFFIX)) rmSync(join(dir, name), { force: true });
}

/** Whether an error means the disk (or the user's quota) is full. */
export function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOSPC" || code === "EDQUOT";
}
