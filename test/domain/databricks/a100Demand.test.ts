import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { a100ClustersAtOnce, a100Demand, a100WorkerBudget, planA100Demand } from "../../../domain/databricks/a100Demand";

describe("A100 demand", () => {
    it("counts a driver on demand and the workers preemptible for each cluster that can run at once", () => {
        const clusters = a100ClustersAtOnce({ maxWorkers: 8 });
        // The training and benchmark job clusters are fixed at the A100 maximum, the training size.
        expect(clusters.map((c) => [c.maxWorkers, c.autoscaled])).toEqual([
            [8, true],
            [8, false],
            [8, false],
        ]);
        expect(a100Demand(clusters, 1)).toEqual({ onDemandGpus: 3, preemptibleGpus: 24 });
        expect(a100Demand(clusters, 2)).toEqual({ onDemandGpus: 6, preemptibleGpus: 48 });
        // The plan's own sizes on one A100 a node are the quota's defaults.
        expect(planA100Demand).toEqual({ onDemandGpus: 3, preemptibleGpus: 24 });
    });

    it("gives each cluster a share that keeps every cluster at once within the quota, and wastes less than a node per cluster", () => {
        fc.assert(
            fc.property(fc.integer({ min: 0, max: 512 }), fc.constantFrom(1, 2, 4, 8, 16), (quota, gpus) => {
                const budget = a100WorkerBudget(quota, gpus);
                const demand = a100Demand(a100ClustersAtOnce({ maxWorkers: budget }), gpus);
                if (budget > 0) expect(demand.preemptibleGpus).toBeLessThanOrEqual(quota);
                const oneMore = a100Demand(a100ClustersAtOnce({ maxWorkers: budget + 1 }), gpus);
                expect(oneMore.preemptibleGpus).toBeGreaterThan(quota);
            }),
        );
    });
});
