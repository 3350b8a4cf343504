import type { Build } from "../api/types.js";
import type { IOStreams } from "../output/io.js";
import { oneLine } from "../output/text.js";
import { formatElapsed } from "../output/time.js";

export interface BuildSummary {
  ok: boolean;
  /** The one line: `✓ build a1b2c3d4 done in 1m 23s · deployment v13`. */
  line: string;
  /** The line without its mark: `build a1b2c3d4 done in 1m 23s · deployment v13`. */
  text: string;
  /** "1m 23s", or "" when the build's creation time is unknown. */
  duration: string;
  /** For a build that did not succeed: how to read its log. */
  hint?: string;
}

/**
 * The end of a waiting command, in one line: outcome, short ID, the time since the build
 * was created, the deployment when there is one; for a failure its error. Marks on a
 * terminal, plain words (`ok`, `FAILED`) in a log.
 */
export function buildSummary(io: IOStreams, build: Build, now: number, deployment?: string): BuildSummary {
  const ok = build.status === "done";
  const short = build.id.slice(0, 8);
  const created = Date.parse(build.createdAt);
  const took = Number.isNaN(created) ? "" : formatElapsed(now - created);
  const c = io.err;
  const mark = io.stderrIsTTY ? (ok ? c.green("✓") : c.red("✗")) : ok ? "ok" : "FAILED";
  if (ok) {
    const deployed = deployment ? ` · deployment ${oneLine(deployment)}` : "";
    const text = `build ${short} done${took && ` in ${took}`}${deployed}`;
    return { ok, line: `${mark} ${text}`, text, duration: took };
  }
  const error = oneLine(build.error);
  const text = `build ${short} ${oneLine(build.status)}${took && ` after ${took}`}${error ? `: ${error}` : ""}`;
  return { ok, line: `${mark} ${text}`, text, duration: took, hint: `see its log: valar builds logs ${build.id}` };
}
