import { createReadStream } from "node:fs";
import { Parser } from "tar";

/** Linux's limits: NAME_MAX for one path component, PATH_MAX for a whole path. */
const MAX_NAME_BYTES = 255;
const MAX_PATH_BYTES = 4095;

/**
 * How much unpacked data the check at submit reads before it stops looking: enough for
 * any real source tree, and an archive bomb costs the submit no more than this (the
 * build's own caps decide about the rest).
 */
const SCAN_BUDGET_BYTES = 256 * 1024 * 1024;

/**
 * Why an entry's name cannot be created on disk, or undefined when it can. `workspace` is
 * the directory the archive unpacks into: its path counts towards PATH_MAX too.
 */
export function nameProblem(path: string, linkpath?: string, workspace = ""): string | undefined {
  const shown = path.length > 80 ? `${path.slice(0, 77)}...` : path;
  const room = MAX_PATH_BYTES - (workspace ? Buffer.byteLength(workspace) + 1 : 0);
  if (Buffer.byteLength(path) > room) {
    const where = workspace ? ` (${MAX_PATH_BYTES} less the ${Buffer.byteLength(workspace) + 1} bytes of the build's workspace path)` : "";
    return `entry "${shown}" has a path of ${Buffer.byteLength(path)} bytes; the limit is ${room}${where}`;
  }
  const long = path.split("/").find((part) => Buffer.byteLength(part) > MAX_NAME_BYTES);
  if (long !== undefined) return `entry "${shown}" has a file name of ${Buffer.byteLength(long)} bytes; the limit is ${MAX_NAME_BYTES}`;
  if (linkpath && Buffer.byteLength(linkpath) > MAX_PATH_BYTES)
    return `link "${shown}" has a target of ${Buffer.byteLength(linkpath)} bytes; the limit is ${MAX_PATH_BYTES}`;
  return undefined;
}

/**
 * Reads an uploaded archive's entry names (streaming, nothing is written) and returns
 * the first name that could not be unpacked, so submit refuses it with a 400 instead of
 * the build failing inside. An archive tar cannot read is not judged here: the build
 * reports that itself.
 */
export function archiveNameProblem(file: string, workspace = ""): Promise<string | undefined> {
  return new Promise((resolve) => {
    const input = createReadStream(file);
    let scanned = 0;
    const finish = (problem?: string) => {
      input.destroy();
      resolve(problem);
    };
    const parser = new Parser({
      onReadEntry: (entry) => {
        const problem = nameProblem(entry.path, entry.linkpath, workspace);
        if (problem) return finish(problem);
        scanned += entry.size ?? 0;
        if (scanned > SCAN_BUDGET_BYTES) return finish();
        entry.resume();
      },
    });
    parser.on("end", () => finish());
    parser.on("close", () => finish());
    parser.on("error", () => finish());
    input.on("error", () => finish());
    input.pipe(parser);
  });
}
