import { Command } from "commander";
import { CommandGroup } from "./shared/help-layout.js";
import type { Runtime } from "../app/runtime.js";
import { addJsonOption, withExamples } from "./shared/options.js";

export function defineConfig(rt: Runtime): Command {
  const config = new CommandGroup("config").description("get and set stored settings (endpoint, project, service)");
  withExamples(config, ["valar config set project myproject", "valar config get endpoint", "valar config list"]);
  const get = new Command("get").description("print a stored setting (exit 1 when it is not set)").argument("<key>", "endpoint, project or service");
  withExamples(get, ["valar config get project"]);
  get.action(rt.action(() => import("./config.run.js").then((m) => m.get), { offline: true }));
  const set = new Command("set").description("store a setting").argument("<key>", "endpoint, project or service").argument("<value>", "the value");
  withExamples(set, ["valar config set project myproject", "valar config set endpoint http://127.0.0.1:8080/v2"]);
  set.action(rt.action(() => import("./config.run.js").then((m) => m.set), { offline: true }));
  const unset = new Command("unset").description("forget a stored setting").argument("<key>", "endpoint, project or service");
  withExamples(unset, ["valar config unset service"]);
  unset.action(rt.action(() => import("./config.run.js").then((m) => m.unset), { offline: true }));
  const list = new Command("list").alias("ls").description("list stored settings (KEY=VALUE lines)");
  addJsonOption(list);
  withExamples(list, ["valar config list", "valar config list --json"]);
  list.action(rt.action(() => import("./config.run.js").then((m) => m.list), { offline: true }));
  return config.addCommand(get).addCommand(set).addCommand(unset).addCommand(list);
}
