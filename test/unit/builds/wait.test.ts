import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { BuildsApi } from "../../../src/api/builds.js";
import type { StreamResponse } from "../../../src/api/client.js";
import type { Build } from "../../../src/api/types.js";
import type { Ctx } from "../../../src/app/context.js";
import { ApiUnreachableError, InterruptedError, WaitTimeoutError } from "../../../src/errors.js";
import { IOStreams } from "../../../src/output/io.js";
import type { Clock } from "../../../src/app/context.js";
import { waitForBuild } from "../../../src/builds/wait-build.js";

const ID = "b1";

/** Sleeps return at once and time stands still: polls and backoff cost nothing, durations read 0. */
const stoppedClock: Clock = {
  now: () => Date.now(),
  async sleep(_ms, signal) {
    signal?.throwIfAborted();
    await new Promise((resolve) => setImmediate(resolve));
    signal?.throwIfAborted();
  },
};

function harness(statuses: Array<string | Error>, logs?: () => Promise<StreamResponse>) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  stderr.on("data", (d: Buffer) => (err += d.toString()));
  const env = {};
  const io = new IOStreams({ stdout, stderr, stdin: () => Readable.from([]), env });
  const interrupt = new AbortController();
  let reads = 0;
  const calls: string[] = [];
  const api = {
    project: "p",
    service: "s",
    async list(prefix?: string): Promise<Build[]> {
      calls.push(`list ${prefix}`);
      const s = statuses[Math.min(reads++, statuses.length - 1)]!;
      if (s instanceof Error) throw s;
      return [{ id: ID, status: s, error: s === "failed" ? "exit status 1" : "", createdAt: new Date().toISOString() }];
    },
    async abort(id: string) {
      calls.push(`abort ${id}`);
    },
    openLogs: logs ?? (async () => Promise.reject(new ApiUnreachableError("no logs here"))),
  } as unknown as BuildsApi;
  const ctx = { io, env, clock: stoppedClock, signal: interrupt.signal } as unknown as Ctx;
  return { ctx, api, calls, interrupt, out: () => out, err: () => err };
}

describe("waitForBuild", () => {
  it("spinner mode off a terminal: one line per status change, then the summary; 0 for done", async () => {
    const h = harness(["pending", "running", "running", "done"]);
    await expect(waitForBuild(h.ctx, h.api, ID, { mode: "spinner" })).resolves.toBe(0);
    expect(h.out()).toBe("");
    expect(h.err()).toBe(`build ${ID}: pending (0s)\nbuild ${ID}: running (0s)\nok build ${ID} done in 0.0s\n`);
    expect(h.calls.every((c) => c === `list ${ID}`)).toBe(true);
  });

  it("returns 3 for failed, expired and unknown final statuses", async () => {
    for (const status of ["failed", "expired", "cancelled"]) {
      const h = harness(["running", status]);
      await expect(waitForBuild(h.ctx, h.api, ID, { mode: "spinner" })).resolves.toBe(3);
      const error = status === "failed" ? ": exit status 1" : "";
      const hint = status === "expired" ? "" : `hint: the whole log: valar builds logs ${ID}\n`;
      expect(h.err()).toBe(`build ${ID}: running (0s)\nFAILED build ${ID} ${status} after 0.0s${error}\n${hint}`);
    }
  });

  it("watch mode off a terminal: one line per status change", async () => {
    const h = harness(["pending", "pending", "running", "running", "done"]);
    await expect(waitForBuild(h.ctx, h.api, ID, { mode: "watch" })).resolves.toBe(0);
    expect(
      h
        .err()
        .split("\n")
        .map((l) => l.replace(/ \(\d+s\)$/, "")),
    ).toEqual([`build ${ID}: pending`, `build ${ID}: running`, `ok build ${ID} done in 0.0s`, ""]);
  });

  it("rides out transient status failures; exit 6 only after repeated ones", async () => {
    const flaky = harness([new ApiUnreachableError("reset"), new ApiUnreachableError("reset"), "done"]);
    await expect(waitForBuild(flaky.ctx, flaky.api, ID, { mode: "spinner" })).resolves.toBe(0);
    const down = harness([new ApiUnreachableError("connection refused")]);
    const err = await waitForBuild(down.ctx, down.api, ID, { mode: "spinner" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiUnreachableError);
    expect((err as Error).message).toBe(`lost the connection to the API (connection refused); the outcome of build ${ID} is unknown`);
    expect(down.err()).toContain("reconnecting…\n");
    expect(down.calls.length).toBe(6);
  });

  it("--timeout: WaitTimeoutError saying the build goes on; nothing aborted", async () => {
    const h = harness(["running"]);
    const err = await waitForBuild(h.ctx, h.api, ID, { mode: "spinner", timeout: { text: "50ms", ms: 50 }, abortOnInterrupt: true }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect((err as WaitTimeoutError).exitCode).toBe(124);
    expect((err as Error).message).toBe(`stopped waiting after 50ms; build ${ID} goes on`);
    expect(h.calls).not.toContain(`abort ${ID}`);
  });

  it("Ctrl-C: InterruptedError with the abort hint", async () => {
    const h = harness(["running"]);
    const waiting = waitForBuild(h.ctx, h.api, ID, { mode: "spinner" });
    setTimeout(() => h.interrupt.abort(new InterruptedError()), 30);
    const err = await waiting.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterruptedError);
    expect((err as InterruptedError).message).toBe(`stopped waiting; build ${ID} goes on`);
    expect((err as InterruptedError).hint).toBe(`to abort it: valar builds abort ${ID}`);
  });

  it("follow: a lost log stream warns and the status decides", async () => {
    const h = harness(["running", "running", "failed"]);
    await expect(waitForBuild(h.ctx, h.api, ID, { mode: "follow" })).resolves.toBe(3);
    expect(h.err()).toMatch(/^warning: the log stream of build b1 was lost \(no logs here\); waiting for the build to end$/m);
    expect(h.err().match(/reconnecting…/g)).toHaveLength(6);
  });
});
