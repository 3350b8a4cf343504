import type { ServerResponse } from "node:http";
import { statSync } from "node:fs";
import { open } from "node:fs/promises";
import type { LogBook } from "../store/log-book.js";

const CHUNK = 64 * 1024;

export interface LogStream {
  id: string;
  path: string;
  logs: LogBook;
  /** Keep sending lines as they are written, until the build's log ends. */
  follow: boolean;
  /** True once the build is final (its log will not grow). */
  isFinal(): boolean;
}

/**
 * Sends a build's log, and with `follow` the lines written after it, holding at most
 * one chunk or line per reader: the log file is the buffer. While the socket takes
 * what it is given, new lines go straight out; once res.write says the socket is full
 * the reader leaves the live feed, and on 'drain' it catches up from the file where it
 * stopped. A reader that never reads costs a fixed amount, however long the log grows.
 */
export function streamLog(log: LogStream, res: ServerResponse): void {
  let offset = 0;
  let ended = !log.follow;
  let unsubscribe: (() => void) | undefined;
  let closed = false;
  res.on("close", () => {
    closed = true;
    unsubscribe?.();
  });

  const fail = (err: unknown) => {
    if (!closed) res.destroy(err as Error);
  };

  const goLive = (): void => {
    if (closed) return;
    // The size check and the subscription happen in one tick: lines are appended
    // synchronously, so none can fall between them.
    if (fileSize(log.path) > offset) return void catchUp().catch(fail);
    if (ended || log.isFinal()) return void res.end();
    unsubscribe = log.logs.subscribe(log.id, {
      line: (line) => {
        offset += Buffer.byteLength(line);
        if (res.write(line)) return;
        unsubscribe!();
        unsubscribe = undefined;
        res.once("drain", goLive);
      },
      end: () => {
        unsubscribe = undefined;
        ended = true;
        goLive();
      },
    });
  };

  const catchUp = async (): Promise<void> => {
    const file = await open(log.path, "r");
    try {
      for (;;) {
        if (closed) return;
        const chunk = Buffer.allocUnsafe(CHUNK);
        const { bytesRead } = await file.read(chunk, 0, CHUNK, offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
        if (!res.write(chunk.subarray(0, bytesRead))) await drained(res);
      }
    } finally {
      await file.close();
    }
    goLive();
  };

  goLive();
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0; // not written yet, or removed with an expired build
  }
}

/** Resolves when the response can take more, or is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
