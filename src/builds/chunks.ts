import type { Readable } from "node:stream";
import { collectYoungGarbage } from "../util/memory.js";

const COLLECT_EVERY_BYTES = 8 * 1024 * 1024;

/**
 * Hands each chunk of a byte stream to onChunk as it arrives, pausing the stream while the
 * promise onChunk returns is pending. Unlike `for await`, which reads whatever is buffered
 * as one concatenated Buffer (a copy of every byte), chunks are passed on as they came.
 * Resolves at the end of the stream; rejects with its error or the first onChunk failure.
 * Memory stays flat however long the stream: see collectYoungGarbage (not needed, and not
 * done, while chunks keep coming in the same memory).
 */
export function forEachChunk(stream: Readable, onChunk: (chunk: Buffer) => void | Promise<void>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      stream.off("data", onData);
      stream.destroy();
      reject(err);
    };
    let sinceCollect = 0;
    let lastMemory: ArrayBufferLike | undefined;
    const onData = (chunk: Buffer) => {
      // Chunks read into reused memory (src/api/read-ring.ts) leave nothing to collect.
      if (chunk.buffer !== lastMemory) sinceCollect += chunk.length;
      lastMemory = chunk.buffer;
      if (sinceCollect >= COLLECT_EVERY_BYTES) {
        sinceCollect = 0;
        collectYoungGarbage();
      }
      let wait: void | Promise<void>;
      try {
        wait = onChunk(chunk);
      } catch (err) {
        fail(err);
        return;
      }
      if (wait) {
        stream.pause();
        wait.then(() => failed || stream.resume(), fail);
      }
    };
    stream.on("data", onData);
    stream.once("error", fail);
    stream.once("end", () => failed || resolve());
    // A stream destroyed without an error (aborted) never ends: that is a failure too.
    stream.once("close", () => {
      if (!stream.readableEnded) fail(stream.errored ?? new Error("the stream closed before its end"));
    });
  });
}
