import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // e2e tests spawn processes and servers and mostly wait on them: on two cores a third
    // worker keeps the CPUs busy (measured: 3m31s against 4m16s with two).
    pool: "forks",
    maxWorkers: 3,
  },
});
