/**
 * The read-model's one zone rule: the pack's capacity checks and the cost model count a node
 * pool's nodes the same way (a regional pool that lists no zones runs in three of them).
 */
import { describe, expect, it } from "vitest";
import { poolBounds, poolZones, regionalDefaultZones } from "../../tools/model/compute";
import { estimateCost } from "../../tools/model/cost/estimate";
import { isUnknown, unknown } from "../../tools/model/values";
import { nodePool, res, roundCatalog, roundUsage } from "./cost/fixtures/smallGraph";

describe("poolZones", () => {
    it("reads listed node locations, else one zone for a zonal location, else the regional default", () => {
        expect(poolZones({ nodeLocations: ["us-central1-a", "us-central1-b"], location: "us-central1" })).toEqual({ count: 2, assumed: false });
        expect(poolZones({ location: "us-central1-f" })).toEqual({ count: 1, assumed: false });
        expect(poolZones({ location: "us-central1" })).toEqual({ count: regionalDefaultZones, assumed: true });
        expect(poolZones({ nodeLocations: [], location: "europe-west4" })).toEqual({ count: regionalDefaultZones, assumed: true });
    });

    it("is unknown while the zones are", () => {
        expect(isUnknown(poolZones({ nodeLocations: unknown }))).toBe(true);
        expect(isUnknown(poolZones({ location: unknown }))).toBe(true);
        expect(poolZones({ location: unknown, nodeLocations: ["a"] })).toEqual({ count: 1, assumed: false });
    });
});

describe("poolBounds", () => {
    it("takes total bounds as they are, and multiplies per-zone bounds and fixed counts by the zones", () => {
        expect(poolBounds({ autoscaling: { totalMinNodeCount: 1, totalMaxNodeCount: 5 }, location: "us-central1" })).toMatchObject({ min: 1, max: 5, autoscaled: true });
        expect(poolBounds({ autoscaling: { minNodeCount: 1, maxNodeCount: 2 }, nodeLocations: ["a", "b"] })).toMatchObject({ min: 2, max: 4, autoscaled: true });
        expect(poolBounds({ nodeCount: 3, location: "us-central1-a" })).toMatchObject({ min: 3, max: 3, autoscaled: false });
        expect(poolBounds({ nodeCount: 2, location: "us-central1" })).toMatchObject({ min: 6, max: 6, zonesAssumed: true });
    });

    it("is unknown while any bound is", () => {
        expect(isUnknown(poolBounds({ autoscaling: { maxNodeCount: unknown }, location: "us-central1-a" }))).toBe(true);
        expect(isUnknown(poolBounds({ autoscaling: unknown }))).toBe(true);
        expect(isUnknown(poolBounds({ nodeCount: unknown, location: "us-central1-a" }))).toBe(true);
    });
});

describe("the pack and the cost model count a pool alike", () => {
    const pools = [
        { autoscaling: { minNodeCount: 0, maxNodeCount: 2 }, location: "us-central1" },
        { autoscaling: { minNodeCount: 1, maxNodeCount: 2 }, location: "us-central1-a" },
        { autoscaling: { minNodeCount: 0, maxNodeCount: 3 }, nodeLocations: ["us-central1-a", "us-central1-b"], location: "us-central1" },
        { nodeCount: 2, location: "us-central1" },
        { autoscaling: { totalMinNodeCount: 1, totalMaxNodeCount: 7 }, location: "us-central1" },
    ];
    for (const pool of pools) {
        it(JSON.stringify(pool), () => {
            const inputs = { ...pool, nodeConfig: { machineType: "cpu-4", spot: false, diskType: "pd-ssd", diskSizeGb: 10 } };
            const estimate = estimateCost({ resources: [res(nodePool, "pool", inputs)] }, { catalog: roundCatalog, usage: roundUsage() });
            const bounds = poolBounds(pool);
            if (isUnknown(bounds)) throw new Error("bounds are known here");
            const range = bounds.min === bounds.max ? `${bounds.max}` : `${bounds.min}–${bounds.max}`;
            expect(estimate.resources[0].detail.startsWith(`${range} × cpu-4`)).toBe(true);
            expect(estimate.warnings.some((w) => w.includes("without nodeLocations"))).toBe(bounds.zonesAssumed);
        });
    }
});
