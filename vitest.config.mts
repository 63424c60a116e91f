import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // Test files run in worker processes (the Pulumi runtime keeps global state per process),
        // each worker taking files one after another.
        pool: "forks",
        // One evaluation cache for the run (test/globalSetup.ts).
        globalSetup: ["test/globalSetup.ts"],
        testTimeout: 60_000,
        hookTimeout: 60_000,
    },
});
