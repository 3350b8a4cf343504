import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Temporary directories: one root per run (removed at its end), and tempDir's removed
    // after each test file.
    globalSetup: ["test/helpers/tmp-root.ts"],
    setupFiles: ["test/helpers/temp-cleanup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // e2e tests spawn processes and servers and mostly wait on them: on two cores a third
    // worker keeps the CPUs busy (measured: 3m31s against 4m16s with two).
    pool: "forks",
    maxWorkers: 3,
  },
});
