import type { Readable } from "node:stream";

/**
 * Hands each chunk of a byte stream to onChunk as it arrives, pausing the stream while the
 * promise onChunk returns is pending. Unlike `for await`, which reads whatever is buffered
 * as one concatenated Buffer (a copy of every byte), chunks are passed on as they came.
 * Resolves at the end of the stream; rejects with its error or the first onChunk failure.
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
    const onData = (chunk: Buffer) => {
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
