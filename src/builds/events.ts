import { appendFileSync } from "node:fs";
import type { Build, Deploy } from "../api/types.js";
import type { IOStreams } from "../output/io.js";

/** The last event of a waiting command with --json: always printed, also on an error or a timeout. */
export interface ResultEvent {
  build: string;
  status: string | null;
  durationSeconds: number | null;
  deployment: Deploy | null;
  failure: { error: string; lastLines: string[] } | null;
  exitCode: number;
  error?: string;
}

/**
 * NDJSON events of a waiting command's --json (one object a line on stdout); silent
 * without --json, so the waiting code calls it unconditionally.
 */
export class WaitEvents {
  private lastStatus: string | undefined;
  private lastDeploy: string | undefined;
  private ended = false;

  constructor(
    private readonly io: IOStreams,
    readonly enabled: boolean,
    private readonly now: () => number,
  ) {}

  private emit(event: string, fields: object): void {
    if (this.enabled) this.io.println(JSON.stringify({ event, ...fields }));
  }

  submitted(answer: object): void {
    this.emit("submitted", answer);
  }

  /** Each change of the build's status, once. */
  status(build: Build): void {
    if (build.status === this.lastStatus) return;
    this.lastStatus = build.status;
    this.emit("status", { build: build.id, status: build.status, at: this.at() });
  }

  /** Each change of the awaited deployment's status, once. */
  deployment(d: Deploy): void {
    if (d.status === this.lastDeploy) return;
    this.lastDeploy = d.status;
    this.emit("deployment", { version: d.version, status: d.status, at: this.at() });
  }

  /** Only the first result counts: an error after the outcome was reported adds none. */
  result(r: ResultEvent): void {
    if (this.ended) return;
    this.ended = true;
    this.emit("result", r);
  }

  private at(): string {
    return new Date(this.now()).toISOString();
  }
}

/** A duration in seconds with millisecond precision, for JSON. */
export function durationSeconds(ms: number | undefined): number | null {
  return ms === undefined ? null : Math.round(ms) / 1000;
}

/** GitHub Actions step outputs ($GITHUB_OUTPUT): build-id, status, deployment (a version or empty). */
export function writeGithubOutput(env: NodeJS.ProcessEnv, io: IOStreams, out: { buildId: string; status: string; deployment?: number }): void {
  const file = env.GITHUB_OUTPUT;
  if (!file) return;
  // Values are IDs, status words and integers: no newline can reach the file's key=value lines.
  const line = (k: string, v: string) => `${k}=${v.replace(/[\r\n]/g, " ")}\n`;
  try {
    appendFileSync(
      file,
      line("build-id", out.buildId) + line("status", out.status) + line("deployment", out.deployment === undefined ? "" : String(out.deployment)),
    );
  } catch (err) {
    io.warn(`could not write the step outputs to ${file}: ${(err as Error).message}`);
  }
}
