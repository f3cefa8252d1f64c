import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/helpers/globalSetup.ts"],
    // Tests that spawn the program or the CLI open an embedded database each time: slow under load.
    testTimeout: 90_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
