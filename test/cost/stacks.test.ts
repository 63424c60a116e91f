/** The real phase-0 graphs of dev and prod, priced with the shipped catalog and each stack's config. */
import { beforeAll, describe, expect, it } from "vitest";
import { defaultCatalog } from "../../tools/model/cost/catalog";
import { baselineOf, estimateCost } from "../../tools/model/cost/estimate";
import { formatCostBreakdown } from "../../tools/cost/report";
import { costInputsForStack } from "../../tools/cost/stackAssumptions";
import { ResourceGraph } from "../../tools/model/graph";
import { projectDir, runStack } from "../harness";

const h100 = defaultCatalog.gcp.machines["a3-highgpu-8g"];
const pdSsdPerNodeHour = (200 * 0.17) / 730;

describe.each(["dev", "prod"])("phase 0 of %s", (stack) => {
    let graph: ResourceGraph;
    beforeAll(async () => {
        graph = await runStack(stack);
    });

    it("prices every resource of a priced kind, and nothing is unpriced", () => {
        const { usage } = costInputsForStack(projectDir, stack);
        const estimate = estimateCost(graph, { usage });
        expect(estimate.unpriced).toEqual([]);
        expect(estimate.warnings).toEqual([]);
        const pools = estimate.resources.filter((l) => l.type === "gcp:container/nodePool:NodePool");
        expect(pools.length).toBe(stack === "dev" ? 2 : 3);
        expect(pools.every((l) => l.priced && l.monthlyUsd > 0)).toBe(true);
        expect(estimate.databricksMonthlyUsd).toBe(0);
        expect(estimate.byPhase).toEqual({ "phase-0": estimate.monthlyUsd });
        expect(estimate.perTrainingSource).toBe("gcp-pools");
        const self = estimateCost(graph, { usage, baseline: baselineOf(estimate) });
        expect(self.baselineRatio).toBe(1);
    });

    it("prices the H100 spot pool from its bounds, the training hours and the catalog", () => {
        const estimate = estimateCost(graph);
        const spot = estimate.resources.find((l) => l.name === "h100-spot")!;
        // dev: 0–1 spot nodes; prod: 0–5 (60% of 8, rounded up) and 3 on demand. At max for 730 runs × 0.5 h.
        const max = stack === "dev" ? 1 : 5;
        const onDemand = stack === "dev" ? 0 : 3;
        const spotNode = h100.spotUsdPerHour! + pdSsdPerNodeHour;
        expect(spot.monthlyUsd).toBeCloseTo(max * 365 * spotNode, 6);
        // One training run: one node's 8 H100s for 0.5 h at the pools' blended price per GPU-hour;
        // the spot pool's part is its share of the pools' GPUs at their maxima.
        const usdPerGpuHour = (max * spotNode + onDemand * (h100.onDemandUsdPerHour! + pdSsdPerNodeHour)) / ((max + onDemand) * 8);
        expect(estimate.perTrainingUsd! - estimate.resources.filter((l) => l.name === "c4a-data").reduce((t, l) => t + l.perTrainingUsd!, 0)).toBeCloseTo(
            8 * 0.5 * usdPerGpuHour,
            6,
        );
        expect(spot.perTrainingUsd).toBeCloseTo((8 * 0.5 * usdPerGpuHour * max) / (max + onDemand), 6);
        expect(estimate.perTrainingBasis).toBe("the reference work on GCP: 8 × nvidia-h100-80gb for 0.5 h (one a3-highgpu-8g node; cost.training.gcpGpus to change)");
    });
});

describe("cost assumptions from the stack config", () => {
    it("reads migration:cost from the stack file, with overrides, and the estimate follows them", async () => {
        const overrides = {
            "migration:cost": {
                gke: { pools: { "h100-spot": { hoursAtMax: 730 } } },
                priceOverrides: { "gcp.machines.a3-highgpu-8g.spotUsdPerHour": 30 },
            },
        };
        const { usage, phase } = costInputsForStack(projectDir, "prod", overrides);
        expect(phase).toBe(0);
        const graph = await runStack("prod", overrides);
        const spot = estimateCost(graph, { usage }).resources.find((l) => l.name === "h100-spot")!;
        expect(spot.monthlyUsd).toBeCloseTo(5 * 730 * (30 + pdSsdPerNodeHour), 6);
        expect(spot.prices).toContain("gcp.machines.a3-highgpu-8g.spotUsdPerHour: stack override");
    });

    it("words the cost targets as advice where the stack's policy config makes them so (dev), as targets elsewhere", async () => {
        const dev = costInputsForStack(projectDir, "dev");
        const prod = costInputsForStack(projectDir, "prod");
        expect([dev.targetsEnforced, prod.targetsEnforced]).toEqual([false, true]);
        const graph = await runStack("prod");
        const baseline = baselineOf(estimateCost(graph, { usage: prod.usage }));
        // A ratio far past both targets, at phase 3 where they bind.
        const past = { monthlyUsd: baseline.monthlyUsd / 2, perTrainingUsd: baseline.perTrainingUsd === null ? null : baseline.perTrainingUsd / 2 };
        const text = (targetsEnforced: boolean) => formatCostBreakdown(estimateCost(graph, { usage: prod.usage, baseline: past, targetsEnforced }), { stack: "prod", phase: 3 });
        expect(text(true)).toMatch(/total 200\.0% of .* \(MISSES ≤ 70\.0%\)/);
        expect(text(false)).not.toMatch(/MISSES/);
        expect(text(false)).toContain("the target ≤ 70.0% is advice for this stack: migration:policyConfig");
        expect(costInputsForStack(projectDir, "dev", { "migration:policyConfig": { "cost-ratio-targets": { enforcementLevel: "mandatory" } } }).targetsEnforced).toBe(true);
    });

    it("reports a bad cost value with the key, the value and what is accepted", () => {
        expect(() => costInputsForStack(projectDir, "dev", { "migration:cost": { training: { runsPerMonth: -1 } } })).toThrow(
            /migration:cost\.training\.runsPerMonth = -1: expected a number of runs a month ≥ 0/,
        );
        // A value inside a map (here a pool's hours) is reported with that value's accepted text.
        expect(() => costInputsForStack(projectDir, "dev", { "migration:cost": { gke: { pools: { "h100-spot": { hoursAtMax: -2 } } } } })).toThrow(
            /migration:cost\.gke\.pools\.h100-spot\.hoursAtMax = -2: expected a number of hours ≥ 0/,
        );
        expect(() => costInputsForStack(projectDir, "dev", { "migration:cost": { priceOverrides: { "gcp.machines.a3-highgpu-8g.perHour": 1 } } })).toThrow(
            /migration:cost\.priceOverrides\.gcp\.machines\.a3-highgpu-8g\.perHour = 1: expected a price field/,
        );
    });
});
