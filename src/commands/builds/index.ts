import type { Command } from "commander";
import { CommandGroup } from "../shared/help-layout.js";
import type { Runtime } from "../../app/runtime.js";
import { withExamples } from "../shared/options.js";
import { defineLs } from "./ls.js";
import { defineSubmit } from "./submit.js";
import { defineInspect } from "./inspect.js";
import { defineLogs } from "./logs.js";
import { defineAbort } from "./abort.js";
import { defineWatch } from "./watch.js";
import { defineStatus } from "./status.js";

export function defineBuilds(rt: Runtime): Command {
  // `build` is what users of Valar's Go CLI type.
  const builds = new CommandGroup("builds").alias("build").description("list, submit, follow and abort builds");
  withExamples(builds, ["valar builds submit -c node -f", "valar builds ls --status failed", "valar builds logs -f a1b2"]);
  for (const define of [defineLs, defineSubmit, defineInspect, defineLogs, defineAbort, defineWatch, defineStatus]) {
    builds.addCommand(define(rt));
  }
  return builds;
}
