import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { a100ClustersAtOnce, a100Demand, autoscaledWorkerBudget, benchmarkWorkers, planA100Demand } from "../../../components/databricks/a100Demand";

describe("A100 demand", () => {
    it("counts a driver on demand and the workers preemptible for each cluster that can run at once", () => {
        const clusters = a100ClustersAtOnce({ autoscaledMaxWorkers: 8, minWorkers: 2 });
        expect(clusters.map((c) => [c.maxWorkers, c.autoscaled])).toEqual([
            [8, true],
            [8, true],
            [2, false],
        ]);
        expect(a100Demand(clusters, 1)).toEqual({ onDemandGpus: 3, preemptibleGpus: 18 });
        expect(a100Demand(clusters, 2)).toEqual({ onDemandGpus: 6, preemptibleGpus: 36 });
        // The plan's own sizes on one A100 a node are the quota's defaults.
        expect(planA100Demand).toEqual({ onDemandGpus: 3, preemptibleGpus: 18 });
    });

    it("benchmarks on at least one worker", () => {
        expect([0, 1, 3].map(benchmarkWorkers)).toEqual([1, 1, 3]);
    });

    it("gives each autoscaled cluster a share that keeps every cluster at once within the quota, and wastes less than a node per cluster", () => {
        fc.assert(
            fc.property(fc.integer({ min: 0, max: 512 }), fc.constantFrom(1, 2, 4, 8, 16), fc.integer({ min: 0, max: 16 }), (quota, gpus, minWorkers) => {
                const budget = autoscaledWorkerBudget(quota, gpus, minWorkers);
                const demand = a100Demand(a100ClustersAtOnce({ autoscaledMaxWorkers: budget, minWorkers }), gpus);
                if (budget > 0) expect(demand.preemptibleGpus).toBeLessThanOrEqual(quota);
                const oneMore = a100Demand(a100ClustersAtOnce({ autoscaledMaxWorkers: budget + 1, minWorkers }), gpus);
                expect(oneMore.preemptibleGpus).toBeGreaterThan(quota);
            }),
        );
    });
});
