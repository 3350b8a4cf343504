import { NotFoundError, OperationError, UsageError } from "../errors.js";
import type { Deploy } from "../api/types.js";
import { oneLine } from "../output/text.js";
import { statusPhrase } from "../output/status.js";

/** A version as typed: `13` or `v13` (how the CLI and the submit answer show it). */
const VERSION_ARGUMENT = /^v?(\d{1,15})$/i;

/** The version a `[version]` argument names; exit 2 for anything else, before anything is sent. */
export function parseVersion(text: string): number {
  const m = VERSION_ARGUMENT.exec(text.trim());
  if (!m) {
    throw new UsageError(`invalid deployment version ${JSON.stringify(text)}`, {
      hint: "a version is a whole number, e.g. 12 or v12 (see `valar deploys ls`)",
    });
  }
  return Number(m[1]);
}

/** Newest first by version: the API's order, made sure of (as Valar's Go CLI does). */
export function newestFirst(deploys: readonly Deploy[]): Deploy[] {
  return [...deploys].sort((a, b) => b.version - a.version);
}

export interface RollbackTarget {
  /** An explicit version, or undefined to count `delta` versions back from the newest. */
  version?: number;
  delta: number;
}

/**
 * The deployment a rollback returns to: the named version (exit 5 when there is none), or
 * the one `delta` places below the newest (exit 1 when there are not that many).
 */
export function pickRollbackTarget(deploys: readonly Deploy[], target: RollbackTarget, where: string): Deploy {
  const sorted = newestFirst(deploys);
  if (target.version !== undefined) {
    const found = sorted.find((d) => d.version === target.version);
    if (!found) {
      throw new NotFoundError(`no deployment v${target.version} in ${where}`, { hint: "list the deployments with `valar deploys ls`" });
    }
    return live(found, sorted);
  }
  const found = sorted[target.delta];
  if (!found) {
    const have = sorted.length === 1 ? "1 deployment" : `${sorted.length} deployments`;
    throw new OperationError(`cannot roll back ${target.delta} version${target.delta === 1 ? "" : "s"}: ${where} has ${have}`, {
      hint: sorted.length > 1 ? `use --delta ${sorted.length - 1} or less` : "a rollback needs an earlier deployment to return to",
    });
  }
  return live(found, sorted);
}

/** Only a deployment that went live can be returned to: the others are named in the hint. */
function live(target: Deploy, sorted: readonly Deploy[]): Deploy {
  if (target.status === "done") return target;
  const ok = sorted.filter((d) => d.status === "done").map((d) => `v${d.version}`);
  throw new OperationError(
    `deployment v${target.version} ${statusPhrase(oneLine(target.status))}: only a deployment that went live can be rolled back to`,
    {
      hint: ok.length ? `versions that can be rolled back to: ${ok.join(", ")}` : "no earlier deployment went live",
    },
  );
}
