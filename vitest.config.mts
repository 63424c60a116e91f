import { defineConfig } from "vitest/config";
import { RecordedDurationsSequencer } from "./test/sequencer";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // Test files run in worker processes, two at a time on two cores: most of a suite's time
        // is spent waiting on the processes it starts (the pack, evaluation workers).
        pool: "forks",
        maxWorkers: 2,
        // A worker keeps its loaded modules from one file to the next: the provider SDKs load once
        // per worker, not once per file. Every evaluation installs a fresh mock runtime
        // (tools/engine/evaluate.ts), as the engine's own workers do between jobs.
        isolate: false,
        // One evaluation cache for the run (test/globalSetup.ts).
        globalSetup: ["test/globalSetup.ts"],
        // The slowest suites first, on a fresh clone too (test/sequencer.ts).
        sequence: { sequencer: RecordedDurationsSequencer },
        testTimeout: 60_000,
        hookTimeout: 60_000,
    },
});
