import { OperationError } from "../errors.js";
import { MAX_ARTIFACT_BYTES } from "../api/types.js";
import { formatBytes, formatCount } from "../output/progress.js";

const LIMIT_HINT = "leave files out with --ignore PATTERN or a .valarignore file; `valar builds submit --dry-run` lists what is packed";

/** Refuses an archive the API would reject anyway, before a byte of it is sent. */
export function checkArchiveSize(bytes: number, limit: number = MAX_ARTIFACT_BYTES): void {
  if (bytes <= limit) return;
  throw new OperationError(`archive is ${formatBytes(bytes)}, over the ${formatBytes(limit)} limit`, {
    hint: LIMIT_HINT,
  });
}

/** Packing passed the limit: it stops there, so the archive's full size is not known. */
export function archiveOverLimit(limit: number, filesPacked: number): OperationError {
  return new OperationError(`archive is over the ${formatBytes(limit)} limit (packing stopped after ${formatCount(filesPacked)} files)`, {
    hint: LIMIT_HINT,
  });
}
