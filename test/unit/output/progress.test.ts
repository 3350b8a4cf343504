import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { IOStreams } from "../../../src/output/io.js";
import { createProgressBar, formatByteProgress, formatBytes, formatCount, renderProgress, startPackingLine } from "../../../src/output/progress.js";

function fakeIO(tty: boolean) {
  const stderr = Object.assign(new PassThrough(), { isTTY: tty, columns: 100 });
  const stdout = Object.assign(new PassThrough(), { isTTY: tty });
  let err = "";
  stderr.setEncoding("utf8").on("data", (s: string) => (err += s));
  const io = new IOStreams({ stdout, stderr, stdin: () => new PassThrough(), env: { TERM: "xterm" } });
  return { io, stderr: () => err };
}

describe("formatBytes", () => {
  it.each([
    [0, "0 B"],
    [1023, "1023 B"],
    [1536, "1.5 KiB"],
    [1024 * 1024, "1 MiB"],
    [Math.round(130.2 * 1024 * 1024), "130.2 MiB"],
    [128 * 1024 * 1024, "128 MiB"],
    [3 * 1024 ** 3, "3 GiB"],
  ])("%d → %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe("formatCount", () => {
  it.each([
    [0, "0"],
    [999, "999"],
    [1000, "1,000"],
    [50000, "50,000"],
    [123456, "123,456"],
    [1234567, "1,234,567"],
  ])("%d → %s", (n, text) => {
    expect(formatCount(n)).toBe(text);
  });
});

describe("formatByteProgress", () => {
  it.each([
    [59_873_690, 94_371_840, "57.1 MiB / 90.0 MiB"],
    [0, 1536, "0.0 KiB / 1.5 KiB"],
    [100, 900, "100 B / 900 B"],
  ])("%i of %i → %s: one decimal on both sides, in the total's unit", (done, total, text) => {
    expect(formatByteProgress(done, total)).toBe(text);
  });
});

describe("renderProgress", () => {
  it("shows a bar, the percentage and the byte counts", () => {
    expect(renderProgress("up", 512, 1024, 80)).toBe(`up [${"#".repeat(15)}${"-".repeat(15)}]  50%  0.5 KiB / 1.0 KiB`);
  });

  it("adds the speed and the time left once the transfer has run a moment, one decimal on both sides", () => {
    const mib = 1024 * 1024;
    expect(renderProgress("up", 57.1 * mib, 90 * mib, 120, 1842)).toMatch(/ 57\.1 MiB \/ 90\.0 MiB · 31\.0 MiB\/s · 2s left$/);
    expect(renderProgress("up", 90 * mib, 90 * mib, 120, 3000)).toMatch(/ 90\.0 MiB \/ 90\.0 MiB · 30\.0 MiB\/s$/);
    expect(renderProgress("up", mib, 90 * mib, 120, 100)).toMatch(/ 1\.0 MiB \/ 90\.0 MiB$/);
  });

  it("drops the bar on a narrow terminal and never exceeds the width", () => {
    const line = renderProgress("uploading", 5, 10, 30);
    expect(line.length).toBeLessThan(30);
    expect(line).not.toContain("[");
  });

  it("caps at 100% and treats an empty total as done", () => {
    expect(renderProgress("u", 20, 10, 80)).toContain("100%");
    expect(renderProgress("u", 0, 0, 80)).toContain("100%");
  });
});

describe("createProgressBar", () => {
  it("draws nothing at all on a non-TTY", () => {
    const { io, stderr } = fakeIO(false);
    const bar = createProgressBar(io, "uploading", 100);
    bar.update(0);
    bar.update(100);
    bar.stop();
    expect(stderr()).toBe("");
  });

  it("redraws in place on a TTY, throttled, and leaves the line clean", () => {
    const { io, stderr } = fakeIO(true);
    let now = 0;
    const bar = createProgressBar(io, "uploading", 100, () => now);
    bar.update(0);
    bar.update(10); // within the redraw interval: skipped
    now = 200;
    bar.update(50);
    bar.update(100); // the end is always drawn
    bar.stop("done");
    const out = stderr();
    expect(out.match(/\r\u001B\[2K/g)).toHaveLength(4);
    expect(out).toContain("  0%");
    expect(out).not.toContain(" 10%");
    expect(out).toContain(" 50%");
    expect(out).toContain("100%");
    expect(out.endsWith("\r\u001B[2Kdone\n")).toBe(true);
  });

  it("shows the speed and the time left as the upload goes on", () => {
    const { io, stderr } = fakeIO(true);
    let now = 1000;
    const mib = 1024 * 1024;
    const bar = createProgressBar(io, "uploading", 90 * mib, () => now);
    now = 2000;
    bar.update(30 * mib);
    bar.stop();
    expect(stderr()).toContain("30.0 MiB / 90.0 MiB · 30.0 MiB/s · 2s left");
  });

  it("stops once", () => {
    const { io, stderr } = fakeIO(true);
    const bar = createProgressBar(io, "u", 10);
    bar.update(5);
    bar.stop();
    bar.stop("again");
    bar.update(10);
    expect(stderr().match(/\r\u001B\[2K/g)).toHaveLength(2);
    expect(stderr()).not.toContain("again");
  });
});

describe("startPackingLine", () => {
  it("off a terminal: one line as packing starts and one as it ends, no escape codes", () => {
    const { io, stderr } = fakeIO(false);
    const line = startPackingLine(io, "./web");
    line.update(1, 10);
    line.update(50_000, 16 * 1024 * 1024);
    line.stop("50,000 files, 16 MiB → 1.2 MiB compressed");
    expect(stderr()).toBe("packing ./web\npacked 50,000 files, 16 MiB → 1.2 MiB compressed\n");
  });
});
