import type { Command } from "commander";
import type { Ctx } from "../app/context.js";
import { completionScript } from "../completion/index.js";
import type { Shell } from "../completion/index.js";
import { HELP_TOPICS } from "./help.js";

export function run(ctx: Ctx, args: string[], _opts: unknown, cmd: Command): number {
  // The script is generated from the whole tree: the root this command hangs from.
  let root = cmd;
  while (root.parent) root = root.parent;
  ctx.io.write(completionScript(args[0] as Shell, root, Object.keys(HELP_TOPICS)));
  return 0;
}
