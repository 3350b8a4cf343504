import { createHash } from "node:crypto";
import { closeSync, openSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { writeAll } from "./atomic-files.js";

/** Another sandbox already uses the data directory. */
class DataDirBusyError extends Error {
  override name = "DataDirBusyError";
}

/**
 * One sandbox per data directory: a second one would mark the first one's running builds
 * failed at start-up and write the same files. A lock left by a crashed sandbox (its pid
 * is gone, or a zombie) is taken over — by one sandbox only, however many start at once:
 * on Linux, the sandboxes of a data dir first claim a name only one process can hold (see
 * claimName), and only its holder reads, judges and replaces sandbox.pid.
 */
export async function lockDataDir(dataDir: string): Promise<() => void> {
  const claim = await claimName(dataDir);
  try {
    const unlock = lockPidFile(dataDir);
    return () => {
      unlock();
      claim?.close();
    };
  } catch (err) {
    claim?.close();
    throw err;
  }
}

/**
 * A listening socket in Linux's abstract namespace, named after the data dir: binding is
 * atomic and the kernel lets go of it when the process ends, however it ends — unlike a
 * file, it is never stale. (Elsewhere, sandbox.pid alone decides.)
 */
async function claimName(dataDir: string): Promise<Server | undefined> {
  if (process.platform !== "linux") return undefined;
  const tag = createHash("sha256").update(realpathSync(dataDir)).digest("hex").slice(0, 32);
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ path: `\0valar-sandbox-${tag}` }, resolve);
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
    const pid = lockHolder(join(dataDir, "sandbox.pid"));
    const who = Number.isInteger(pid) && pid > 0 && isRunning(pid) ? `another sandbox (pid ${pid})` : "another sandbox";
    throw new DataDirBusyError(`${who} is using ${dataDir}`);
  }
  server.unref();
  return server;
}

function lockPidFile(dataDir: string): () => void {
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

/** Whether a process lives: a zombie (exited, not yet reaped) holds nothing any more. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no /proc (not Linux): the signal said it lives
  }
}
