import type { ChalkInstance } from "chalk";
import type { Ctx } from "../../context.js";
import type { BuildInspect } from "../../api/types.js";
import { readPrefixArgument, resolveBuild } from "../../builds/resolve.js";
import { colorStatus } from "../../output/status.js";
import { absoluteTime, formatDuration, relativeTime } from "../../output/time.js";
import { isFinalStatus } from "../../api/types.js";
import { BuildsApi } from "../../api/builds.js";
import { endedBuildDuration } from "../../builds/log-tail.js";
import { stripControl } from "../../output/text.js";
import type { InspectOptions } from "./inspect.js";

/** The key/value lines of `inspect`: labels aligned, Error only when the build has one. */
export function inspectLines(b: BuildInspect, now: number, c: ChalkInstance, durationMs?: number): string[] {
  // Every value is server text: shown without control characters, "-" when empty.
  const text = (v: string) => stripControl(v).trimEnd() || "-";
  const pairs: Array<[string, string]> = [
    ["ID", text(b.id)],
    ["Status", colorStatus(b.status, c)],
    ["Constructor", text(b.constructor)],
    ["Owner", text(b.owner)],
    ["Created", text(`${absoluteTime(b.createdAt)} (${relativeTime(b.createdAt, now)})`)],
    ["Flags", text(b.flags)],
  ];
  if (durationMs !== undefined) pairs.splice(5, 0, ["Duration", formatDuration(durationMs)]);
  if (b.error.trim()) pairs.push(["Error", text(b.error)]);
  const width = Math.max(...pairs.map(([k]) => k.length)) + 1;
  // A multi-line error keeps its lines, indented under the value column.
  const indent = "\n" + " ".repeat(width + 1);
  return pairs.map(([k, v]) => `${c.bold(`${k}:`.padEnd(width))} ${v.replace(/\n/g, indent)}`);
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
  // Briefly and once: the duration is a garnish, not worth a wait for a log that fails.
  const logs = new BuildsApi(api.client.withDeadline(2000, { once: true }), api.project, api.service);
  const duration = isFinalStatus(details.status) ? await endedBuildDuration(logs, details, ctx.signal) : undefined;
  for (const line of inspectLines(details, ctx.clock.now(), ctx.io.out, duration)) ctx.io.println(line);
  return 0;
}
