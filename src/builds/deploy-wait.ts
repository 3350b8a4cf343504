import type { DeploysApi } from "../api/deploys.js";
import type { Deploy } from "../api/types.js";
import { ApiUnreachableError, NotFoundError } from "../errors.js";
import { abortable, describeError, isPermanent, reconnectDelay, type RetryPolicy } from "./wait-policy.js";

export interface DeployWaitOptions {
  api: Pick<DeploysApi, "list">;
  version: number;
  signal: AbortSignal;
  sleep(ms: number): Promise<void>;
  interval: number;
  policy: RetryPolicy;
  /** Each reading of the deployment, pending ones included. */
  onRead(d: Deploy): void;
}

/** Polls a deployment until it leaves `pending`; transient failures are retried as for a build. */
export async function waitForDeployment(o: DeployWaitOptions): Promise<Deploy> {
  for (;;) {
    const d = await readDeploy(o);
    o.onRead(d);
    if (d.status !== "pending") return d;
    await o.sleep(o.interval);
  }
}

async function readDeploy(o: DeployWaitOptions): Promise<Deploy> {
  for (let failures = 1; ; failures++) {
    try {
      const d = (await abortable(o.api.list(), o.signal)).find((x) => x.version === o.version);
      if (!d) throw new NotFoundError(`deployment v${o.version} no longer exists`);
      return d;
    } catch (err) {
      if (o.signal.aborted) throw o.signal.reason;
      if (isPermanent(err)) throw err;
      if (failures >= o.policy.attempts) {
        throw new ApiUnreachableError(`cannot read the status of deployment v${o.version}: ${describeError(err)}`, {
          hint: "the deployment may still be going on; check later with `valar deploys ls`",
        });
      }
      await o.sleep(reconnectDelay(o.policy, failures));
    }
  }
}

/** The deployment a build reserved: the lowest version naming it (Valar reserves one at submission). */
export function reservedDeployment(deploys: Deploy[], buildId: string): Deploy | undefined {
  return deploys.filter((d) => d.build === buildId).sort((a, b) => a.version - b.version)[0];
}
