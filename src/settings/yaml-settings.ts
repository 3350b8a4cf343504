/**
 * The settings that live in YAML files: .valar.yml and Valar's Go CLI config. One module,
 * so the YAML parser is loaded by src/app/online-context.ts only when there is such a file to read.
 */
export { parseValarYml } from "./valar-yml.js";
export { readGoConfig } from "./go-config.js";
