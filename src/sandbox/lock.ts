import { closeSync, openSync, readFileSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { writeAll } from "./files.js";

/** Another sandbox already uses the data directory. */
export class DataDirBusyError extends Error {
  override name = "DataDirBusyError";
}

/**
 * One sandbox per data directory: a second one would mark the first one's running builds
 * failed at start-up and write the same files. A lock left by a crashed sandbox (its pid
 * is gone) is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, "sandbox.pid");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      createLock(path);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = lockHolder(path);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid)) {
        throw new DataDirBusyError(`another sandbox (pid ${pid}) is using ${dataDir}`);
      }
      rmSync(path, { force: true });
    }
  }
  throw new DataDirBusyError(`cannot lock ${dataDir}`);
}

/**
 * The lock is a symlink whose target is our pid: made in one step and needing no data
 * block, so it can be taken on a full disk. Where symlinks are not allowed (Windows
 * without the privilege) it is a file holding the pid.
 */
function createLock(path: string): void {
  try {
    symlinkSync(String(process.pid), path);
    return;
  } catch (err) {
    if (!["EPERM", "ENOTSUP", "EINVAL", "ENOSYS"].includes((err as NodeJS.ErrnoException).code ?? "")) throw err;
  }
  const fd = openSync(path, "wx", 0o600);
  try {
    writeAll(fd, Buffer.from(`${process.pid}\n`));
  } catch (err) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw err;
  }
  closeSync(fd);
}

function lockHolder(path: string): number {
  try {
    return Number(readlinkSync(path));
  } catch {
    try {
      return Number(readFileSync(path, "utf8").trim());
    } catch {
      return NaN;
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
