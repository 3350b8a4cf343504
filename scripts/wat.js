// WebAssembly text (src/**/*.wat) to binary, for the build (scripts/build.js) and the tests
// (vitest.config.ts): both import a .wat file as its compiled bytes.
import { readFile } from "node:fs/promises";
import wabtModule from "wabt";

let wabt;

/** The module in `path`, compiled (SIMD on: V8 has it since Node 16). */
export async function compileWat(path) {
  wabt ??= await wabtModule();
  const text = await readFile(path, "utf8");
  const module = wabt.parseWat(path, text, { simd: true });
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

/** The JavaScript module a .wat import becomes: its bytes as a Uint8Array. */
export async function watModuleSource(path) {
  const base64 = Buffer.from(await compileWat(path)).toString("base64");
  return `export default new Uint8Array(Buffer.from(${JSON.stringify(base64)}, "base64"));\n`;
}
