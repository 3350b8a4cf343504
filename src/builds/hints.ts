import { dirname, relative, isAbsolute } from "node:path";
import type { Ctx } from "../app/context.js";
import type { Setting, Settings } from "../settings/settings-types.js";

/**
 * A suggested command that runs as printed: `valar <command>` followed by the -p, -s and
 * --endpoint values that would not apply again from the current directory — those from
 * flags, and the project/service of a .valar.yml the current directory would not find
 * (`submit DIR` reads DIR's). Values from the environment, stored settings or the
 * .valar.yml above the current directory apply anyway and are left out.
 */
export function hintCommand(ctx: Pick<Ctx, "cwd">, settings: Settings | undefined, command: string): string {
  if (!settings) return `valar ${command}`;
  const ymlElsewhere = settings.valarYml !== undefined && !isAboveOrAt(dirname(settings.valarYml.path), ctx.cwd);
  const repeat = (s: Setting | undefined) => s !== undefined && (s.source === "flag" || (s.source === "valar.yml" && ymlElsewhere));
  const parts = [`valar ${command}`];
  if (repeat(settings.project)) parts.push(`-p ${shellWord(settings.project!.value)}`);
  if (repeat(settings.service)) parts.push(`-s ${shellWord(settings.service!.value)}`);
  if (settings.endpoint.source === "flag") parts.push(`--endpoint ${shellWord(settings.endpoint.value)}`);
  return parts.join(" ");
}

/** Whether dir is cwd or one of its parents (where the search for .valar.yml looks). */
function isAboveOrAt(dir: string, cwd: string): boolean {
  const rel = relative(dir, cwd);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** A value as one word for POSIX shells, fish included: quoted only when it needs it. */
export function shellWord(value: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
