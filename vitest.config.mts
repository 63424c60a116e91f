import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // Each file gets its own worker: the Pulumi runtime keeps global state per process.
        pool: "forks",
        testTimeout: 60_000,
        hookTimeout: 60_000,
    },
});
