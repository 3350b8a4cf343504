import type { ChalkInstance } from "chalk";
import { stripControl } from "./text.js";
import type { IOStreams } from "./io.js";

/** A status word coloured for a terminal; unknown statuses are printed as they are. */
export function colorStatus(status: string, c: ChalkInstance): string {
  switch (status) {
    case "done":
      return c.green(status);
    case "failed":
      return c.red(status);
    case "expired":
      return c.gray(status);
    case "running":
      return c.cyan(status);
    case "pending":
      return c.yellow(status);
    default:
      // A status this CLI does not know yet is shown, but never as raw control characters.
      return stripControl(status);
  }
}

/** A status as a phrase after its subject: "has failed", "is done", "has expired". */
export function statusPhrase(status: string): string {
  return status === "failed" || status === "expired" ? `has ${status}` : `is ${status}`;
}

/** The mark of an outcome on stderr: ✓/✗ in colour on a terminal, `ok`/`FAILED` elsewhere. */
export function outcomeMark(io: IOStreams, ok: boolean): string {
  if (!io.marks) return ok ? "ok" : "FAILED";
  return ok ? io.err.green("✓") : io.err.red("✗");
}
