import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

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
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = Number(readFileSync(path, "utf8").trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid)) {
        throw new DataDirBusyError(`another sandbox (pid ${pid}) is using ${dataDir}`);
      }
      rmSync(path, { force: true });
    }
  }
  throw new DataDirBusyError(`cannot lock ${dataDir}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
