import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { EventEmitter } from "node:events";
import type { LogEntry } from "../api/types.js";

export type LogSource = "WRAPPER" | "PROCESS";
export type LogStage = "SETUP" | "TURNDOWN" | "";

export interface LogFollower {
  line(text: string): void;
  end(): void;
}

/**
 * Build logs: one file of JSON lines per build. Each entry is written with one
 * synchronous write of a whole line, so a reader never sees half a line, and followers are
 * told in the same tick — reading the file and subscribing together can neither lose
 * nor repeat a line.
 */
export class LogBook {
  private readonly open = new Map<string, number>();
  private readonly events = new EventEmitter();

  constructor(private readonly pathOf: (id: string) => string) {
    this.events.setMaxListeners(0);
  }

  append(id: string, source: LogSource, stage: LogStage, content: string): void {
    const entry: LogEntry = { timestamp: new Date().toISOString(), source, stage, content };
    const line = JSON.stringify(entry) + "\n";
    let fd = this.open.get(id);
    if (fd === undefined) {
      fd = openSync(this.pathOf(id), "a", 0o600);
      this.open.set(id, fd);
    }
    writeSync(fd, line);
    this.events.emit(`line:${id}`, line);
  }

  /** The build reached a final status: no more lines; followers' responses end. */
  finish(id: string): void {
    const fd = this.open.get(id);
    if (fd !== undefined) closeSync(fd);
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
