import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { maxDatabricksWorkers } from "../../domain/databricks/nodeTypes";
import { splitBySpotShare, SpotSplit } from "../../domain/gcp/spotSplit";
import { relativeTrainingThroughput } from "../../domain/gpuThroughput";
import { hybridWorkloadSplit } from "../../domain/targets";
import { distributeWorkload, distributionLimits, WorkloadDistributionInput } from "../../domain/workloadDistribution";

/** An A100's training work per H100 (domain/gpuThroughput.ts). */
const a100 = relativeTrainingThroughput["nvidia-tesla-a100"].perH100;

/** prod's configured sizes, with the default capacity (the configured maxima of both platforms, in H100-equivalents). */
const prod: WorkloadDistributionInput = {
    databricksShare: 0.6,
    gpus: 8 * 8 + 8 * 1 * a100,
    dataVcpus: 16 * 16 + 8 * 8,
    a100: { gpusPerNode: 1, perGpu: a100, minWorkers: 2, preemptibleGpuQuota: 32 },
    h100: { gpusPerNode: 8, perGpu: 1, minNodes: 2, maxNodes: 8, spotShare: 0.6 },
    dataPrep: { vcpusPerNode: 8, minWorkers: 2 },
    c4a: { vcpusPerNode: 16, minNodes: 2, maxNodes: 16 },
};

const dev: WorkloadDistributionInput = {
    databricksShare: 0.6,
    gpus: 1 * 8 + 2 * 1 * a100,
    dataVcpus: 2 * 4 + 2 * 4,
    a100: { gpusPerNode: 1, perGpu: a100, minWorkers: 1, preemptibleGpuQuota: 8 },
    h100: { gpusPerNode: 8, perGpu: 1, minNodes: 0, maxNodes: 1, spotShare: 1 },
    dataPrep: { vcpusPerNode: 4, minWorkers: 1 },
    c4a: { vcpusPerNode: 4, minNodes: 0, maxNodes: 2 },
};

const maxima = (input: WorkloadDistributionInput, share: number) => {
    const d = distributeWorkload({ ...input, databricksShare: share });
    return [d.databricks.a100Workers.max, d.gcp.h100Nodes.max, d.databricks.dataPrepWorkers.max, d.gcp.c4aNodes.max];
};

describe("distributeWorkload", () => {
    // [A100 workers, H100 nodes, data-prep workers, C4A nodes], worked by hand from the rules. prod's
    // GPU capacity is 64 + 8 × 0.5417 = 68.33 H100-equivalents: at 0.4, 27.33 for Databricks is
    // 50 A100s, capped at the quota's 32; 41 for GCP is 5.1 nodes, rounded up to 6.
    it.each([
        [0, [3, 8, 3, 16]],
        [0.4, [32, 6, 16, 12]],
        [0.6, [32, 4, 24, 8]],
        [1, [32, 3, 40, 2]],
    ])("sizes prod at share %s", (share, expected) => {
        expect(maxima(prod, share)).toEqual(expected);
    });

    // dev: 8 + 2 × 0.5417 = 9.08; at 0.4, 3.63 for Databricks is 6 A100s (6.7 rounded down).
    it.each([
        [0, [2, 1, 2, 2]],
        [0.4, [6, 1, 2, 2]],
        [0.6, [8, 1, 2, 2]],
        [1, [8, 1, 4, 1]],
    ])("sizes dev at share %s", (share, expected) => {
        expect(maxima(dev, share)).toEqual(expected);
    });

    it("splits prod's H100s at the seed's share 3 spot / 1 on demand, keeping both pools", () => {
        const d = distributeWorkload(prod);
        // The floor of 2 sits on spot: an on-demand floor of 1 would pin its one-node pool.
        expect(d.gcp.h100).toEqual({ spot: { min: 2, max: 3 }, onDemand: { min: 0, max: 1 } });
        expect(d.gcp.gpus).toBe(32);
        expect(d.databricks.gpus).toBe(32);
        // The quota holds Databricks at 32 A100s, 17.3 H100-equivalents: a quarter of the capacity, not 60%.
        expect(d.databricks.gpuCapacity).toBeCloseTo(32 * a100, 9);
        expect(d.gcp.gpuCapacity).toBe(32);
        // At share 1 the H100s shrink to 3 nodes, not 2: two nodes at 60% spot would leave no on-demand pool.
        const atOne = distributeWorkload({ ...prod, databricksShare: 1 }).gcp;
        expect(atOne.h100.onDemand.max).toBe(1);
        // ...and the floor shrinks to 1 so that neither pool is pinned at its maximum.
        expect(atOne.h100Nodes).toEqual({ min: 1, max: 3 });
        for (const pool of [atOne.h100.spot, atOne.h100.onDemand]) expect(pool.min).toBeLessThan(pool.max);
    });

    it("runs the moved workloads on Databricks above share 0, and pauses them at 0", () => {
        const hybrid = distributeWorkload(prod);
        expect(hybrid.movedSchedulesRun).toBe(true);
        for (const w of hybridWorkloadSplit.databricks) expect(hybrid.placement[w]).toBe("databricks");
        for (const w of hybridWorkloadSplit.gcp) expect(hybrid.placement[w]).toBe("gcp");

        const allGcp = distributeWorkload({ ...prod, databricksShare: 0 });
        expect(allGcp.movedSchedulesRun).toBe(false);
        expect(Object.values(allGcp.placement)).toEqual(Array(6).fill("gcp"));
        expect(allGcp.databricks.a100Workers).toEqual({ min: 2, max: 3 });
        expect(distributeWorkload({ ...prod, databricksShare: 0.01 }).movedSchedulesRun).toBe(true);
    });

    it("gives the configured GCP sizes back at share 0 with the default capacity", () => {
        const d = distributeWorkload({ ...prod, databricksShare: 0 });
        expect(d.gcp.h100Nodes).toEqual({ min: 2, max: 8 });
        expect(d.gcp.c4aNodes).toEqual({ min: 2, max: 16 });
        expect(d.gcp.h100).toEqual(splitBySpotShare({ min: 2, max: 8 }, 0.6));
    });

    it("rejects a share outside 0-1 and a capacity below both platforms' minimums, naming the value", () => {
        expect(() => distributeWorkload({ ...prod, databricksShare: 1.2 })).toThrow(/databricksShare 1.2: expected a number from 0 to 1/);
        expect(() => distributeWorkload({ ...prod, databricksShare: -0.1 })).toThrow(RangeError);
        expect(distributionLimits(prod).minimumCapacity).toEqual({ gpus: Number((3 * 1 * a100 + 3 * 8).toFixed(9)), dataVcpus: 3 * 8 + 2 * 16 });
        expect(() => distributeWorkload({ ...prod, gpus: 25 })).toThrow(/gpus 25: expected at least 25\.6251/);
        expect(() => distributeWorkload({ ...prod, a100: { ...prod.a100, perGpu: 0 } })).toThrow(/a100\.perGpu 0: expected the work of one GPU per H100, above 0/);
        expect(() => distributeWorkload({ ...prod, dataVcpus: 55 })).toThrow(/dataVcpus 55: expected at least 56/);
        expect(() => distributeWorkload({ ...prod, a100: { ...prod.a100, preemptibleGpuQuota: 2 } })).toThrow(/a100Workers has a floor of 3 above its ceiling of 2/);
    });
});

describe("distributeWorkload properties", () => {
    const inputs = fc
        .record({
            a100: fc.record({
                gpusPerNode: fc.constantFrom(1, 2, 4, 8, 16),
                perGpu: fc.constantFrom(a100, 0.3, 1, 1.2),
                minWorkers: fc.integer({ min: 0, max: 10 }),
                extraQuotaWorkers: fc.integer({ min: 0, max: 60 }),
            }),
            h100: fc.record({
                gpusPerNode: fc.constantFrom(1, 2, 4, 8),
                minNodes: fc.integer({ min: 0, max: 10 }),
                extraNodes: fc.integer({ min: 0, max: 30 }),
                spotShare: fc.integer({ min: 0, max: 100 }).map((n) => n / 100),
            }),
            dataPrep: fc.record({ vcpusPerNode: fc.constantFrom(2, 4, 8, 16, 32), minWorkers: fc.integer({ min: 0, max: 40 }) }),
            c4a: fc.record({
                vcpusPerNode: fc.constantFrom(1, 2, 4, 8, 16, 32, 48, 64, 72),
                minNodes: fc.integer({ min: 0, max: 10 }),
                extraNodes: fc.integer({ min: 0, max: 30 }),
            }),
            extraGpus: fc.integer({ min: 0, max: 600 }),
            extraVcpus: fc.integer({ min: 0, max: 3000 }),
        })
        .map((r): WorkloadDistributionInput => {
            const base: WorkloadDistributionInput = {
                databricksShare: 0,
                gpus: 1,
                dataVcpus: 1,
                a100: {
                    gpusPerNode: r.a100.gpusPerNode,
                    perGpu: r.a100.perGpu,
                    minWorkers: r.a100.minWorkers,
                    preemptibleGpuQuota: (r.a100.minWorkers + 1 + r.a100.extraQuotaWorkers) * r.a100.gpusPerNode,
                },
                h100: {
                    gpusPerNode: r.h100.gpusPerNode,
                    perGpu: 1,
                    minNodes: r.h100.minNodes,
                    maxNodes: Math.max(r.h100.minNodes, 1) + r.h100.extraNodes,
                    spotShare: r.h100.spotShare,
                },
                dataPrep: r.dataPrep,
                c4a: { vcpusPerNode: r.c4a.vcpusPerNode, minNodes: r.c4a.minNodes, maxNodes: Math.max(r.c4a.minNodes, 1) + r.c4a.extraNodes },
            };
            const { minimumCapacity } = distributionLimits(base);
            return { ...base, gpus: minimumCapacity.gpus + r.extraGpus, dataVcpus: minimumCapacity.dataVcpus + r.extraVcpus };
        });
    // The ends matter most (share 1 puts GCP at its floor, share 0 Databricks at its), and
    // whole percentages are what stacks configure: draw both often, beside any double.
    const share = fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 0, max: 100 }).map((n) => n / 100), fc.double({ min: 0, max: 1, noNaN: true }));

    it("moves capacity towards Databricks, never back, as the share grows", () => {
        fc.assert(
            fc.property(inputs, share, share, (input, a, b) => {
                const [low, high] = [Math.min(a, b), Math.max(a, b)];
                const lower = distributeWorkload({ ...input, databricksShare: low });
                const higher = distributeWorkload({ ...input, databricksShare: high });
                expect(higher.databricks.a100Workers.max).toBeGreaterThanOrEqual(lower.databricks.a100Workers.max);
                expect(higher.databricks.dataPrepWorkers.max).toBeGreaterThanOrEqual(lower.databricks.dataPrepWorkers.max);
                expect(higher.gcp.h100Nodes.max).toBeLessThanOrEqual(lower.gcp.h100Nodes.max);
                expect(higher.gcp.c4aNodes.max).toBeLessThanOrEqual(lower.gcp.c4aNodes.max);
            }),
        );
    });

    it("never sizes below the minimums or above the quota and the configured pool maxima", () => {
        fc.assert(
            fc.property(inputs, share, (input, s) => {
                const d = distributeWorkload({ ...input, databricksShare: s });
                const { a100Workers, dataPrepWorkers } = d.databricks;
                expect(a100Workers.max).toBeGreaterThan(input.a100.minWorkers);
                expect(a100Workers.max * input.a100.gpusPerNode).toBeLessThanOrEqual(input.a100.preemptibleGpuQuota);
                expect(dataPrepWorkers.max).toBeGreaterThan(input.dataPrep.minWorkers);
                expect(dataPrepWorkers.max).toBeLessThanOrEqual(maxDatabricksWorkers);
                expect(d.gcp.h100Nodes.max).toBeGreaterThanOrEqual(Math.max(input.h100.minNodes, 1));
                expect(d.gcp.h100Nodes.max).toBeLessThanOrEqual(input.h100.maxNodes);
                expect(d.gcp.c4aNodes.max).toBeGreaterThanOrEqual(Math.max(input.c4a.minNodes, 1));
                expect(d.gcp.c4aNodes.max).toBeLessThanOrEqual(input.c4a.maxNodes);
                // The minimums are the configured ones: the share moves maxima, and lowers the H100
                // floor only as far as it leaves every H100 pool room to scale down.
                expect([a100Workers.min, dataPrepWorkers.min, d.gcp.c4aNodes.min]).toEqual([
                    input.a100.minWorkers,
                    input.dataPrep.minWorkers,
                    input.c4a.minNodes,
                ]);
                const pools = [d.gcp.h100.spot, d.gcp.h100.onDemand].filter((p) => p.max > 0);
                expect(d.gcp.h100Nodes.min).toBe(Math.min(input.h100.minNodes, Math.max(d.gcp.h100Nodes.max - pools.length, 0)));
                if (d.gcp.h100Nodes.max > pools.length) for (const pool of pools) expect(pool.min).toBeLessThan(pool.max);
            }),
        );
    });

    it("keeps the H100 pools the configured size has, and their spot share of GPU capacity", () => {
        const pools = (split: SpotSplit) => [split.onDemand.max > 0, split.spot.max > 0];
        fc.assert(
            fc.property(inputs, share, (input, s) => {
                const { h100 } = distributeWorkload({ ...input, databricksShare: s }).gcp;
                expect(pools(h100)).toEqual(pools(splitBySpotShare({ min: input.h100.minNodes, max: input.h100.maxNodes }, input.h100.spotShare)));
                expect(h100.spot.max / (h100.spot.max + h100.onDemand.max)).toBeGreaterThanOrEqual(input.h100.spotShare - 1e-9);
            }),
        );
    });

    it("rounds in GCP's favour: Databricks never gets more than its share unless at its floor, GCP never less unless at its ceiling", () => {
        fc.assert(
            fc.property(inputs, share, (input, s) => {
                const d = distributeWorkload({ ...input, databricksShare: s });
                const limits = distributionLimits(input);
                if (d.databricks.a100Workers.max > limits.a100Workers.floor) expect(d.databricks.gpuCapacity).toBeLessThanOrEqual(s * input.gpus + 1e-6);
                if (d.gcp.h100Nodes.max < limits.h100Nodes.ceiling) expect(d.gcp.gpuCapacity).toBeGreaterThanOrEqual((1 - s) * input.gpus - 1e-6);
                if (d.databricks.dataPrepWorkers.max > limits.dataPrepWorkers.floor) expect(d.databricks.vcpus).toBeLessThanOrEqual(s * input.dataVcpus + 1e-6);
                if (d.gcp.c4aNodes.max < limits.c4aNodes.ceiling) expect(d.gcp.vcpus).toBeGreaterThanOrEqual((1 - s) * input.dataVcpus - 1e-6);
            }),
        );
    });

    it("puts Databricks at its minimum and pauses the moved schedules at share 0, whatever the capacity", () => {
        fc.assert(
            fc.property(inputs, (input) => {
                const d = distributeWorkload({ ...input, databricksShare: 0 });
                const limits = distributionLimits(input);
                expect(d.databricks.a100Workers.max).toBe(limits.a100Workers.floor);
                expect(d.databricks.dataPrepWorkers.max).toBe(limits.dataPrepWorkers.floor);
                expect(d.movedSchedulesRun).toBe(false);
            }),
        );
    });
});
