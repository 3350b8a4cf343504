import { closeSync, fstatSync, ftruncateSync, openSync, readFileSync, readSync, rmSync } from "node:fs";
import { EventEmitter } from "node:events";
import type { LogEntry } from "../../api/types.js";
import { writeAll } from "./atomic-files.js";
import { logEntryLines } from "./log-lines.js";
import { formatBytes } from "../run/unpack.js";

export type LogSource = "WRAPPER" | "PROCESS";
export type LogStage = "SETUP" | "TURNDOWN" | "";

export interface LogFollower {
  line(text: string): void;
  end(): void;
}

interface OpenLog {
  fd: number;
  /** Bytes of whole lines in the file: a failed write is cut back to here. */
  size: number;
  /** A write failed (full disk): the build's own output is dropped from now on. */
  failed: boolean;
}

/** A build's output passed the sandbox's cap on one build's log. */
export class LogCapError extends Error {}

/** The default cap on one build's log (--max-log-size). */
const DEFAULT_MAX_LOG_BYTES = 64 * 1024 ** 2;

/** How far back a log that hit a full disk is cut so its last WRAPPER lines fit. */
const ROOM_FOR_LAST_WORDS = 16 * 1024;

/**
 * Build logs: one file of JSON lines per build. Each entry is written with synchronous
 * writes of a whole line, so a reader never sees half a line, and followers are told in
 * the same tick — reading the file and subscribing together can neither lose nor repeat
 * a line. A write that fails (a full disk) never throws: the half-written line is cut
 * off, the build is reported through onWriteFailure, and only the sandbox's own lines
 * are written after that.
 */
export class LogBook {
  private readonly open = new Map<string, OpenLog>();
  private readonly events = new EventEmitter();

  /** maxBytes: the most a build's own output may add to its log; its WRAPPER lines still go past it. */
  constructor(
    private readonly pathOf: (id: string) => string,
    private readonly maxBytes = DEFAULT_MAX_LOG_BYTES,
  ) {
    this.events.setMaxListeners(0);
  }

  /** Called once per build whose log could not be written, or passed the cap (a LogCapError). */
  onWriteFailure(listener: (id: string, err: Error) => void): void {
    this.events.on("write-failure", listener);
  }

  /** Whether a write to this build's log already failed (its output would be lost). */
  writeFailed(id: string): boolean {
    return this.open.get(id)?.failed ?? false;
  }

  append(id: string, source: LogSource, stage: LogStage, content: string): void {
    const entry: LogEntry = { timestamp: new Date().toISOString(), source, stage, content };
    for (const line of logEntryLines(entry)) this.writeLine(id, source, line);
  }

  private writeLine(id: string, source: LogSource, line: string): void {
    let log: OpenLog;
    try {
      log = this.openLog(id);
    } catch (err) {
      this.events.emit("write-failure", id, err);
      return;
    }
    if (log.failed && source !== "WRAPPER") return;
    const data = Buffer.from(line);
    if (source !== "WRAPPER" && log.size + data.length > this.maxBytes) {
      log.failed = true;
      this.events.emit(
        "write-failure",
        id,
        new LogCapError(`the build's log reached the ${formatBytes(this.maxBytes)} limit (--max-log-size): its output was cut there`),
      );
      return;
    }
    if (!this.tryWrite(id, log, data) && source === "WRAPPER" && this.makeRoom(log)) {
      this.tryWrite(id, log, Buffer.from(JSON.stringify({ ...LOG_CUT, timestamp: new Date().toISOString() }) + "\n"));
      this.tryWrite(id, log, data);
    }
  }

  private openLog(id: string): OpenLog {
    let log = this.open.get(id);
    if (!log) {
      const fd = openSync(this.pathOf(id), "a+", 0o600);
      log = { fd, size: fstatSync(fd).size, failed: false };
      this.open.set(id, log);
    }
    return log;
  }

  private tryWrite(id: string, log: OpenLog, data: Buffer): boolean {
    try {
      writeAll(log.fd, data);
    } catch (err) {
      // A line cut by the full disk would be glued to the next one: cut it off.
      try {
        ftruncateSync(log.fd, log.size);
      } catch {
        // nothing more can be done for this file
      }
      if (!log.failed) {
        log.failed = true;
        this.events.emit("write-failure", id, err);
      }
      return false;
    }
    log.size += data.length;
    this.events.emit(`line:${id}`, data.toString());
    return true;
  }

  /** Frees room at the end of a log by cutting whole lines (at least a few KiB). */
  private makeRoom(log: OpenLog): boolean {
    if (log.size === 0) return false;
    const end = Math.max(0, log.size - ROOM_FOR_LAST_WORDS);
    const start = Math.max(0, end - 70 * 1024);
    const tail = Buffer.alloc(end - start);
    try {
      readSync(log.fd, tail, 0, tail.length, start);
    } catch {
      return false;
    }
    const newline = tail.lastIndexOf(0x0a);
    const cut = newline >= 0 ? start + newline + 1 : 0;
    try {
      ftruncateSync(log.fd, cut);
    } catch {
      return false;
    }
    log.size = cut;
    return true;
  }

  /** The build reached a final status: no more lines; followers' responses end. */
  finish(id: string): void {
    const log = this.open.get(id);
    if (log) closeSync(log.fd);
    this.open.delete(id);
    this.events.emit(`end:${id}`);
  }

  /** The whole log so far ("" when nothing was written yet). */
  read(id: string): string {
    try {
      return readFileSync(this.pathOf(id), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return "";
      throw err;
    }
  }

  /**
   * The log so far (`existing`) plus every later line until finish(); `stop` unsubscribes.
   * Must be called only for a build that is not final yet.
   */
  follow(id: string, follower: LogFollower): { existing: string; stop(): void } {
    const existing = this.read(id);
    return { existing, stop: this.subscribe(id, follower) };
  }

  /** Every line appended from now on until finish(); returns the unsubscribe function. */
  subscribe(id: string, follower: LogFollower): () => void {
    const onLine = (line: string) => follower.line(line);
    const onEnd = () => {
      stop();
      follower.end();
    };
    const stop = () => {
      this.events.off(`line:${id}`, onLine);
      this.events.off(`end:${id}`, onEnd);
    };
    this.events.on(`line:${id}`, onLine);
    this.events.on(`end:${id}`, onEnd);
    return stop;
  }

  remove(id: string): void {
    this.finish(id);
    rmSync(this.pathOf(id), { force: true });
  }
}

const LOG_CUT: Omit<LogEntry, "timestamp"> = {
  source: "WRAPPER",
  stage: "TURNDOWN",
  content: "the disk is full: the end of the build's output was cut to make room for these last lines",
};
