import type { Ctx } from "../context.js";
import { BUILD_PREFIX } from "../api/types.js";
import { BuildsApi } from "../api/builds.js";
import { requireTarget } from "../settings/resolve.js";
import { relativeTime } from "../output/time.js";
import { abortable } from "../builds/retry.js";
import { COMPLETE_TIMEOUT_MS } from "./complete.js";

export async function run(ctx: Ctx, args: string[]): Promise<number> {
  const [kind, word = ""] = args;
  try {
    if (kind === "build-ids") {
      for (const line of await buildIdCandidates(ctx, word)) ctx.io.println(line);
    }
  } catch {
    // Nothing: see above.
  }
  return 0;
}

async function buildIdCandidates(ctx: Ctx, prefix: string): Promise<string[]> {
  if (prefix !== "" && !BUILD_PREFIX.test(prefix)) return [];
  const target = requireTarget(await ctx.settings());
  const deadline = AbortSignal.timeout(COMPLETE_TIMEOUT_MS);
  // The shared client's checks (loopback-only http, proxies), but one try under a deadline:
  // a completion that waits on backoff is worse than none.
  const client = await ctx.client({ signal: deadline, noRetry: true });
  const api = new BuildsApi(client, target.project, target.service);
  // The deadline holds even if the request does not heed its signal.
  const builds = await abortable(api.list(prefix || undefined), deadline);
  const now = ctx.clock.now();
  return [...builds]
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))
    .slice(0, 50)
    .map((b) => `${b.id}\t${b.status}, ${relativeTime(b.createdAt, now)}`);
}
