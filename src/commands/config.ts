import { Command } from "commander";
import type { Runtime } from "../runtime.js";
import type { Ctx } from "../context.js";
import { addJsonOption, withExamples } from "./shared/options.js";
import { notImplemented } from "./shared/not-implemented.js";

export function defineConfig(rt: Runtime): Command {
  const config = new Command("config").description("get and set stored settings (endpoint, project, service)");
  const get = new Command("get").description("print a stored setting").argument("<key>", "endpoint, project or service");
  withExamples(get, ["valar config get project"]);
  get.action(rt.action(runConfig("get")));
  const set = new Command("set")
    .description("store a setting")
    .argument("<key>", "endpoint, project or service")
    .argument("<value>", "the value");
  withExamples(set, ["valar config set project myproject", "valar config set endpoint http://127.0.0.1:8080/v2"]);
  set.action(rt.action(runConfig("set")));
  const unset = new Command("unset").description("forget a stored setting").argument("<key>", "endpoint, project or service");
  withExamples(unset, ["valar config unset service"]);
  unset.action(rt.action(runConfig("unset")));
  const list = new Command("list").alias("ls").description("list stored settings");
  addJsonOption(list);
  withExamples(list, ["valar config list"]);
  list.action(rt.action(runConfig("list")));
  return config.addCommand(get).addCommand(set).addCommand(unset).addCommand(list);
}

function runConfig(verb: string) {
  return async (_ctx: Ctx, _args: string[], _opts: { json?: boolean }): Promise<number> => notImplemented(`config ${verb}`);
}
