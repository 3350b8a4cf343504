import type { ChalkInstance } from "chalk";
import type { Ctx } from "../../app/context.js";
import type { BuildInspect, Deploy } from "../../api/types.js";
import { readPrefixArgument, resolveBuild } from "../../builds/resolve-prefix.js";
import { DeploysApi } from "../../api/deploys.js";
import { InterruptedError } from "../../errors.js";
import { colorStatus } from "../../output/status.js";
import { absoluteTime, formatDuration, relativeTime } from "../../output/time.js";
import { isFinalStatus } from "../../api/types.js";
import { BuildsApi } from "../../api/builds.js";
import { endedBuildDuration } from "../../builds/log-tail.js";
import { stripControl } from "../../output/text.js";
import type { InspectOptions } from "./inspect.js";

/** What inspect shows beside the API's inspect object. */
export interface InspectContext {
  project: string;
  service: string;
  /** The deployment the build became, when there is one. */
  deployment?: Deploy;
  /** How long the build took, for an ended build whose end is known. */
  durationMs?: number;
}

/** The key/value lines of `inspect`: labels aligned; a field with nothing to say is left out. */
export function inspectLines(b: BuildInspect, now: number, c: ChalkInstance, where: InspectContext): string[] {
  // Every value is server text: shown without control characters.
  const text = (v: string) => stripControl(v).trimEnd();
  const d = where.deployment;
  const pairs: Array<[string, string]> = [
    ["ID", text(b.id)],
    ["Status", colorStatus(b.status, c)],
    ["Project", text(where.project)],
    ["Service", text(where.service)],
    ["Constructor", text(b.constructor)],
    ["Owner", text(b.owner)],
    ["Created", text(`${absoluteTime(b.createdAt)} (${relativeTime(b.createdAt, now)})`)],
    ["Duration", where.durationMs !== undefined ? formatDuration(where.durationMs) : ""],
    ["Deployment", d ? `v${d.version} (${colorStatus(d.status, c)})` : ""],
    ["Flags", text(b.flags)],
    ["Error", text(b.error)],
  ];
  const shown = pairs.filter(([, v]) => v !== "");
  const width = Math.max(...shown.map(([k]) => k.length)) + 1;
  // A multi-line error keeps its lines, indented under the value column.
  const indent = "\n" + " ".repeat(width + 1);
  return shown.map(([k, v]) => `${c.bold(`${k}:`.padEnd(width))} ${v.replace(/\n/g, indent)}`);
}

/**
 * The deployment a build became: Valar reserves a version at submission, so it is the
 * lowest version whose build is this one. None listed, or the list cannot be read: none
 * shown (inspect is about the build; its details are printed either way).
 */
async function deploymentOf(api: DeploysApi, buildId: string): Promise<Deploy | undefined> {
  try {
    const mine = (await api.list()).filter((d) => d.build === buildId);
    return mine.reduce<Deploy | undefined>((low, d) => (low && low.version < d.version ? low : d), undefined);
  } catch (err) {
    if (err instanceof InterruptedError) throw err;
    return undefined;
  }
}

export async function run(ctx: Ctx, args: string[], opts: InspectOptions): Promise<number> {
  const prefix = await readPrefixArgument(ctx, args[0]);
  const api = await ctx.builds();
  const build = await resolveBuild(ctx, api, prefix);
  const details = await api.inspect(build.id);
  if (opts.json) {
    ctx.io.printJson(details);
    return 0;
  }
  const deployment = await deploymentOf(new DeploysApi(api.client, api.project, api.service), build.id);
  // Briefly and once: the duration is a garnish, not worth a wait for a log that fails.
  const logs = new BuildsApi(api.client.withDeadline(2000, { once: true }), api.project, api.service);
  const durationMs = isFinalStatus(details.status) ? await endedBuildDuration(logs, details, ctx.signal) : undefined;
  const where = { project: api.project, service: api.service, deployment, durationMs };
  for (const line of inspectLines(details, ctx.clock.now(), ctx.io.out, where)) ctx.io.println(line);
  return 0;
}
