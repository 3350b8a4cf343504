import { DEFAULT_RETRY_POLICY } from "../../../src/api/retry-policy.js";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { StreamResponse } from "../../../src/api/client.js";
import { sleep } from "../../../src/util/sleep.js";
import { AuthError, ApiUnreachableError, InterruptedError, NotFoundError } from "../../../src/errors.js";
import { MAX_LINE_BYTES } from "../../../src/logs/line-splitter.js";
import { followBuildLog, streamBuildLog, stringSink, type FollowLogOptions, type LogSource } from "../../../src/builds/follow.js";

/** One scripted connection: chunks, then either a clean end or an error (a drop). */
type Connection = { status?: number; chunks: string[]; drop?: boolean } | Error;

function source(connections: Connection[]): LogSource & { opened: number } {
  const s = {
    opened: 0,
    async openLogs(): Promise<StreamResponse> {
      const c = connections[Math.min(s.opened++, connections.length - 1)]!;
      if (c instanceof Error) throw c;
      const conn = c;
      async function* body() {
        for (const chunk of conn.chunks) yield Buffer.from(chunk);
        if (conn.drop) throw new Error("other side closed");
      }
      return { status: conn.status ?? 200, headers: {}, body: Readable.from(body()) };
    },
  };
  return s;
}

const ok = (chunks: string[]): Connection => ({ chunks, drop: false });
const drop = (chunks: string[]): Connection => ({ chunks, drop: true });

function options(src: LogSource, statuses: string[], extra: Partial<FollowLogOptions> = {}) {
  const lines: string[] = [];
  const reconnects: number[] = [];
  let reads = 0;
  const opts: FollowLogOptions = {
    source: src,
    buildId: "b1",
    sink: stringSink((l) => void lines.push(l)),
    signal: new AbortController().signal,
    // Real time: the backoff here is a few ms, and the silence (15 s unless given) ends
    // with its connection.
    sleep,
    now: Date.now,
    readStatus: async () => statuses[Math.min(reads++, statuses.length - 1)]!,
    retry: { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1, maxDelayMs: 8, attempts: 3 },
    onReconnect: (n) => void reconnects.push(n),
    ...extra,
  };
  return { opts, lines, reconnects };
}

describe("followBuildLog", () => {
  it("resumes after drops without repeating or losing a line; partial lines come again whole", async () => {
    const src = source([drop(["a\nb\nc", "c-partial"]), drop(["a\nb\ncccc\nd"]), ok(["a\nb\ncccc\nd\ne\n"])]);
    const { opts, lines, reconnects } = options(src, ["done"]);
    const result = await followBuildLog(opts);
    expect(result).toEqual({ kind: "ended", status: "done", lines: 5 });
    expect(lines).toEqual(["a", "b", "cccc", "d", "e"]);
    expect(reconnects).toEqual([1, 1]); // progress resets the count
  });

  it("treats a clean end while the build runs as a drop, discarding the partial tail", async () => {
    const src = source([ok(["a\nb\npart"]), ok(["a\nb\npartial\nlast"])]);
    const { opts, lines } = options(src, ["running", "failed"]);
    const result = await followBuildLog(opts);
    expect(result).toMatchObject({ kind: "ended", status: "failed" });
    // Once the build is final, the unterminated last line is the log's real last line.
    expect(lines).toEqual(["a", "b", "partial", "last"]);
  });

  it("never calls the log lost for clean early ends; no note while the build is pending", async () => {
    const src = source([ok([]), ok([]), ok([]), ok([]), ok([]), ok(["a\n"]), ok(["a\n"]), ok(["a\n"]), ok(["a\n"]), ok(["a\nb\n"])]);
    const statuses = ["pending", "pending", "pending", "pending", "pending", "running", "running", "running", "running", "done"];
    const { opts, lines, reconnects } = options(src, statuses);
    const result = await followBuildLog(opts);
    expect(result).toMatchObject({ kind: "ended", status: "done" });
    expect(lines).toEqual(["a", "b"]);
    // Notes only for the running build's four early ends (the count restarts with the progress of "a").
    expect(reconnects).toEqual([1, 2, 3, 4]);
  });

  it("gives up after the policy's attempts without progress and reports the stream lost", async () => {
    const src = source([drop(["a\n"]), new ApiUnreachableError("HTTP 503")]);
    const { opts, lines, reconnects } = options(src, ["running"]);
    const result = await followBuildLog(opts);
    expect(result).toMatchObject({ kind: "lost", lines: 1 });
    expect(lines).toEqual(["a"]);
    expect(reconnects).toEqual([1, 2, 3]);
    expect(src.opened).toBe(4);
  });

  it("backs off exponentially up to the cap", async () => {
    const delays: number[] = [];
    const src = source([new ApiUnreachableError("down")]);
    const { opts } = options(src, ["running"], {
      retry: { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 400, attempts: 5 },
      // The silence's sleep is cut short by its connection's end; the backoff's are counted.
      sleep: (ms, signal) => (ms === 15_000 ? sleep(ms, signal) : Promise.resolve(void delays.push(ms))),
    });
    await followBuildLog(opts);
    expect(delays).toEqual([100, 200, 400, 400, 400]);
  });

  it("204 on the first connection means the logs expired (exit 5); later, the stream is lost", async () => {
    await expect(followBuildLog(options(source([{ status: 204, chunks: [], drop: false }]), ["expired"]).opts)).rejects.toThrow(NotFoundError);
    const later = await followBuildLog(options(source([drop(["a\n"]), { status: 204, chunks: [], drop: false }]), ["running"]).opts);
    expect(later).toMatchObject({ kind: "lost", lines: 1 });
  });

  it("does not retry what another try cannot fix", async () => {
    const src = source([new AuthError("token expired")]);
    await expect(followBuildLog(options(src, ["running"]).opts)).rejects.toThrow(AuthError);
    expect(src.opened).toBe(1);
  });

  it("stops with the signal's reason when interrupted", async () => {
    const ctl = new AbortController();
    const src = source([drop(["a\n"])]);
    const reason = new InterruptedError();
    const { opts } = options(src, ["running"], {
      signal: ctl.signal,
      sink: stringSink(() => ctl.abort(reason)),
    });
    await expect(followBuildLog(opts)).rejects.toBe(reason);
  });

  it("counts silence in lines: a stream that trickles bytes after the build ended does not keep it waiting", async () => {
    let follows = 0;
    const src: LogSource = {
      async openLogs(_id, follow, signal) {
        if (!follow) return { status: 200, headers: {}, body: Readable.from([Buffer.from("a\nb\n")]) };
        follows++;
        // A space every 10 ms, forever: bytes, but never a line.
        const body = new Readable({ read() {} });
        body.push("a\n");
        const timer = setInterval(() => body.push(" "), 10);
        signal?.addEventListener("abort", () => (clearInterval(timer), body.destroy(new Error("aborted"))), { once: true });
        return { status: 200, headers: {}, body };
      },
    };
    const { opts, lines } = options(src, ["done"], { silenceMs: 100 });
    await expect(followBuildLog(opts)).resolves.toEqual({ kind: "ended", status: "done", lines: 2 });
    expect(lines).toEqual(["a", "b"]);
    expect(follows).toBe(1);
  }, 5_000);

  it("the silence is a sleep on the given clock: a stalled stream ends without real waiting", async () => {
    const asked: number[] = [];
    const src: LogSource = {
      async openLogs(_id, follow, signal) {
        if (!follow) return { status: 200, headers: {}, body: Readable.from([Buffer.from("a\n")]) };
        // One line, then nothing, forever.
        const body = new Readable({ read() {} });
        body.push("a\n");
        signal?.addEventListener("abort", () => body.destroy(new Error("aborted")), { once: true });
        return { status: 200, headers: {}, body };
      },
    };
    let t = 0;
    const sleep = async (ms: number) => {
      asked.push(ms);
      t += ms;
    };
    const { opts, lines } = options(src, ["done"], { sleep, now: () => t });
    await expect(followBuildLog(opts)).resolves.toEqual({ kind: "ended", status: "done", lines: 1 });
    expect(lines).toEqual(["a"]);
    expect(asked).toContain(15_000);
  }, 5_000);

  it("a line too long to hold, streamed in pieces, goes on after a drop where it broke off", async () => {
    const long = "x".repeat(MAX_LINE_BYTES + 500_000);
    const half = MAX_LINE_BYTES + 100_000;
    const src = source([drop(["a\n", long.slice(0, half)]), ok(["a\n", long.slice(0, 700_000), long.slice(700_000) + "\r\nb\n"])]);
    const out: string[] = [];
    const sink = {
      line: (b: Buffer, s: number, e: number) => void out.push(b.toString("utf8", s, e) + "\n"),
      piece: (b: Buffer, s: number, e: number) => void out.push(b.toString("utf8", s, e)),
      flush() {},
    };
    const { opts } = options(src, ["done"], { sink });
    await expect(followBuildLog(opts)).resolves.toEqual({ kind: "ended", status: "done", lines: 3 });
    expect(out.join("")).toBe(`a\n${long}\nb\n`);
  });

  it("a line too long to hold, streamed in pieces, then silence after the build ended: the rest goes on where it broke off", async () => {
    const long = "x".repeat(MAX_LINE_BYTES + 500_000);
    const half = MAX_LINE_BYTES + 100_000;
    const src: LogSource = {
      async openLogs(_id, follow, signal) {
        if (!follow) return { status: 200, headers: {}, body: Readable.from([Buffer.from(`a\n${long}\nb\n`)]) };
        // Half the long line, then nothing, forever.
        const body = new Readable({ read() {} });
        body.push(`a\n${long.slice(0, half)}`);
        signal?.addEventListener("abort", () => body.destroy(new Error("aborted")), { once: true });
        return { status: 200, headers: {}, body };
      },
    };
    const out: string[] = [];
    const sink = {
      line: (b: Buffer, s: number, e: number) => void out.push(b.toString("utf8", s, e) + "\n"),
      piece: (b: Buffer, s: number, e: number) => void out.push(b.toString("utf8", s, e)),
      flush() {},
    };
    // The silence ends only once the pieces are out, as 15 s would.
    let t = 0;
    const sleep = (ms: number, signal: AbortSignal) =>
      new Promise<void>((resolve) => setTimeout(resolve, 50)).then(() => {
        signal.throwIfAborted();
        t += ms;
      });
    const { opts } = options(src, ["done"], { sink, sleep, now: () => t });
    await expect(followBuildLog(opts)).resolves.toMatchObject({ kind: "ended", status: "done" });
    expect(out.join("").length).toBe(`a\n${long}\nb\n`.length);
    expect(out.join("")).toBe(`a\n${long}\nb\n`);
  });

  it("waits for the sink's flush before reading on (backpressure)", async () => {
    const order: string[] = [];
    const src = source([ok(["a\n", "b\n"])]);
    const { opts } = options(src, ["done"], {
      sink: {
        line: (b, s, e) => void order.push(`line ${b.toString("utf8", s, e)}`),
        flush: async () => {
          order.push("flush start");
          await new Promise((r) => setTimeout(r, 5));
          order.push("flush end");
        },
      },
    });
    await followBuildLog(opts);
    expect(order.slice(0, 6)).toEqual(["line a", "flush start", "flush end", "line b", "flush start", "flush end"]);
  });
});

describe("streamBuildLog", () => {
  it("delivers every line, including an unterminated last one", async () => {
    const lines: string[] = [];
    const n = await streamBuildLog(
      source([ok(["x\ny", "\nz"])]),
      "b1",
      stringSink((l) => void lines.push(l)),
      new AbortController().signal,
    );
    expect(lines).toEqual(["x", "y", "z"]);
    expect(n).toBe(3);
  });

  it("throws exit 5 on 204", async () => {
    const err = await streamBuildLog(
      source([{ status: 204, chunks: [], drop: false }]),
      "b1",
      stringSink(() => {}),
      new AbortController().signal,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).message).toBe("the logs of build b1 have expired");
  });
});
