import { Writable } from "node:stream";
import { ByteBatch } from "../../src/logs/byte-batch.js";
import { LineSplitter } from "../../src/logs/line-splitter.js";
import { LogRenderer, type LogRenderOptions } from "../../src/logs/render.js";

/**
 * A log's bytes through the splitter and the renderer as `valar builds logs` sends them,
 * cut into chunks at `cuts` (ascending offsets), with long lines streamed through when the
 * mode is --raw into a pipe. `fast: false` makes it the general path for every line.
 */
export function renderLog(input: Buffer, opts: LogRenderOptions, cuts: number[]): Buffer {
  const renderer = new LogRenderer(opts);
  const batch = new ByteBatch(16);
  const parts: Buffer[] = [];
  const sink = new Writable({ write: (c: Buffer, _e, cb) => (parts.push(Buffer.from(c)), cb()) });
  const stream = opts.clean === "bytes" && !opts.json;
  const splitter = new LineSplitter(stream ? (b, s, e) => renderer.piece(b, s, e, batch) : undefined);
  const onLine = (b: Buffer, s: number, e: number, long?: number) => renderer.line(b, s, e, batch, long);
  let at = 0;
  for (const cut of [...cuts, input.length]) {
    // A copy, then overwritten: the splitter must not keep the caller's chunk.
    const chunk = Buffer.from(input.subarray(at, cut));
    splitter.push(chunk, onLine);
    chunk.fill(0x78);
    void batch.flush(sink);
    at = cut;
  }
  splitter.end(onLine);
  renderer.finish(batch);
  void batch.flush(sink);
  return Buffer.concat(parts);
}
