import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

type Collect = (options: { type: "minor" }) => void;
let collect: Collect | null | undefined;

/**
 * A young-generation collection. Each network read is a fresh Buffer outside the JS heap;
 * V8 collects them only once ~32 MiB have piled up, and the process keeps that memory.
 * Reading a long stream, a collection every few MiB keeps the peak flat and low for a
 * millisecond each. V8 offers it only as `gc`, exposed by a flag: the flag is set here,
 * once, and the function taken from a fresh context that has it.
 */
export function collectYoungGarbage(): void {
  if (collect === undefined) {
    try {
      setFlagsFromString("--expose-gc");
      collect = runInNewContext("gc") as Collect;
    } catch {
      collect = null;
    }
  }
  collect?.({ type: "minor" });
}
