import type { Build } from "../api/types.js";
import type { IOStreams } from "../output/io.js";
import { oneLine } from "../output/text.js";
import { formatDuration } from "../output/time.js";
import { outcomeMark } from "../output/status.js";

/** The deployment a waiting command reports on: its label ("v13") and, once awaited, its end. */
export interface DeploymentOutcome {
  label: string;
  /** "done", "failed", … ; undefined when it was not waited for. */
  status?: string;
  error?: string;
}

export interface BuildSummary {
  ok: boolean;
  /** The one line: `✓ build a1b2c3d4 done in 1m 23s · deployment v13 live`. */
  line: string;
  /** The line without its mark. */
  text: string;
  /** "1m 23s", or "" when the build's duration is unknown. */
  duration: string;
  /** What the deployment column of a report says ("v13 live", "not deployed", ""). */
  deployment: string;
}

/**
 * The end of a waiting command, in one line: outcome, short ID, the build's duration (none
 * when unknown), the deployment when there is one; for a failure its error. Marks on a
 * terminal, plain words (`ok`, `FAILED`, `-`) in a log or with TERM=dumb.
 */
export function buildSummary(io: IOStreams, build: Build, durationMs: number | undefined, deployment?: DeploymentOutcome): BuildSummary {
  const done = build.status === "done";
  const deployFailed = done && deployment?.status !== undefined && deployment.status !== "done";
  const ok = done && !deployFailed;
  const short = build.id.slice(0, 8);
  const took = durationMs === undefined ? "" : formatDuration(durationMs);
  const mark = outcomeMark(io, ok);
  const dot = io.marks ? "·" : "-";
  let text: string;
  let deployed = "";
  if (done) {
    text = `build ${short} done${took && ` in ${took}`}`;
    if (deployment) {
      const label = oneLine(deployment.label);
      if (deployment.status === undefined) deployed = `${label} pending`;
      else if (deployment.status === "done") deployed = `${label} live`;
      else deployed = `${label} ${oneLine(deployment.status)}`;
      if (deployFailed) {
        const error = oneLine(deployment.error ?? "");
        text += `, but deployment ${deployed}${error ? `: ${error}` : ""}`;
      } else {
        text += ` ${dot} deployment ${deployed}`;
      }
    }
  } else {
    const error = oneLine(build.error);
    text = `build ${short} ${oneLine(build.status)}${took && ` after ${took}`}${error ? `: ${error}` : ""}`;
    if (deployment) deployed = "not deployed";
  }
  return { ok, line: `${mark} ${text}`, text, duration: took, deployment: deployed };
}
