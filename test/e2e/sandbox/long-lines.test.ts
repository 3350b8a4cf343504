import { afterEach, describe, expect, it } from "vitest";
import { sandboxRequest, startSandbox, submitFiles, waitForBuild, type TestSandbox } from "../../helpers/sandbox.js";

const base = "/projects/demo/services/web";
const started: TestSandbox[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((sb) => sb.stop()));
});

describe("sandbox log lines", () => {
  it("splits build output lines over 64 KiB so each JSON entry plus newline is at most 64 KiB", async () => {
    const sb = await startSandbox();
    started.push(sb);
    const sub = await submitFiles(sb, {
      "build.sh": [
        "head -c 200000 /dev/zero | tr '\\0' a; echo",
        "echo short",
        // Quotes double in JSON: 60,000 of them are far more than 64 KiB once encoded.
        "head -c 60000 /dev/zero | tr '\\0' '\"'; echo",
        "head -c 30000 /dev/zero | sed 's/\\x0/€/g'; echo",
      ].join("\n"),
    });
    expect((await waitForBuild(sb, sub.id)).status).toBe("done");
    const text = (await sandboxRequest(sb, "GET", `${base}/builds/${sub.id}/logs`)).text;
    const lines = text.split(/(?<=\n)/);
    for (const line of lines) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(64 * 1024);
    const output = lines
      .map((l) => JSON.parse(l))
      .filter((e) => e.source === "PROCESS")
      .map((e) => e.content as string);
    expect(output.length).toBeGreaterThan(4);
    const joined = output.join("|");
    expect(output.join("")).toBe("a".repeat(200_000) + "short" + '"'.repeat(60_000) + "€".repeat(30_000));
    expect(joined).toContain("|short|");
  });
});
