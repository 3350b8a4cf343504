import { describe, expect, it } from "vitest";
import { PassThrough } from "node:stream";
import { ByteBatch } from "../../../src/logs/byte-batch.js";

describe("ByteBatch", () => {
  it("never writes over bytes a stream still holds: one that hands chunks on keeps them by reference", async () => {
    // A PassThrough's writableLength is 0 as soon as write() returns, yet its reader holds
    // the very buffer that was written (as the IO double and any pipe onwards do).
    const stream = new PassThrough();
    const held: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => held.push(chunk));
    const batch = new ByteBatch();
    batch.text("compiling\n");
    await batch.flush(stream);
    batch.text("plain text from a tool\n");
    await batch.flush(stream);
    expect(Buffer.concat(held).toString()).toBe("compiling\nplain text from a tool\n");
  });
});
