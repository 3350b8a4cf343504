import { rmSync } from "node:fs";
import { HttpError } from "./http.js";
import { ArchiveTooLargeError, scanArchive, type ArchiveLimits } from "./unpack.js";

/**
 * An upload is refused at once (413, and not kept) when it would unpack to more than the
 * sandbox allows; everything else about its content (links, entry types, a damaged
 * archive) fails the build that uses it, with the reason in its log.
 */
export async function checkUpload(path: string, limits: ArchiveLimits): Promise<void> {
  try {
    await scanArchive(path, limits);
  } catch (err) {
    if (!(err instanceof ArchiveTooLargeError)) return;
    rmSync(path, { force: true });
    throw new HttpError(413, `artifact refused: ${err.message}`);
  }
}
