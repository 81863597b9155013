import { defineConfig } from "vitest/config";

// Two projects: fast unit tests beside the code, and end-to-end tests that drive the real
// OpenClaw CLI. The e2e project runs one file at a time: each file shares one gateway, and
// this machine has two cores, so parallel gateways only make every turn slower.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          environment: "node",
          include: ["packages/*/src/**/*.test.ts"],
          exclude: ["**/*.e2e.test.ts", "**/node_modules/**", "**/dist/**"],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "e2e",
          environment: "node",
          include: ["e2e/**/*.e2e.test.ts", "packages/*/src/**/*.e2e.test.ts"],
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 240_000,
          globalSetup: ["e2e/global-setup.ts"],
        },
      },
    ],
  },
});
