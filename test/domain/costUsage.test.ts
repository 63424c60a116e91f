/**
 * The zod-free side of the `migration:cost` group (what the policy pack reads) against its
 * schema: the same defaults, the same merge of a written group over them, and the same verdict
 * on every number of the group.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { costConfigSchema } from "../../domain/costConfig";
import { costProblems, defaultCostConfig, withCostDefaults } from "../../domain/costUsage";

/** Every numeric field of the defaults, by path below the group. */
function numericPaths(value: unknown, at: string[] = []): string[][] {
    if (typeof value === "number") return [at];
    if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => numericPaths(v, [...at, k]));
    return [];
}

function setAt(path: readonly string[], value: unknown): Record<string, unknown> {
    return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

describe("the cost group without zod", () => {
    it("has the schema's defaults", () => {
        expect(defaultCostConfig).toEqual(costConfigSchema.parse({}));
        expect(withCostDefaults(undefined)).toEqual(costConfigSchema.parse(undefined));
    });

    it("merges a written group over the defaults as the schema does", () => {
        const groups = [
            { hoursPerMonth: 720 },
            { training: { runsPerMonth: 24, taskHours: { training: 2 } } },
            { gke: { pools: { "h100-spot": { hoursAtMax: 10 } } }, storage: { gb: { lake: 3 } } },
            { jobs: { maintenance: { runsPerMonth: 4 } }, targets: { mandatoryFromPhase: 2 } },
            { databricks: { autoscaleLoad: 0.5, clusters: { a100: { hoursPerMonth: 40 } } }, priceOverrides: { "gcp.disks.pd-ssd.usdPerGbMonth": 0.2 } },
            { training: { measuredThroughput: { ratio: 0.6, source: "runs 1 vs 2" }, gcpGpus: 8 } },
        ];
        for (const group of groups) expect(withCostDefaults(group)).toEqual(costConfigSchema.parse(group));
    });

    // Every number the defaults hold, and the optional GPU count.
    const paths = [...numericPaths(defaultCostConfig), ["training", "gcpGpus"]];
    it("judges every number of the group as the schema does", () => {
        expect(paths.length).toBeGreaterThan(10);
        fc.assert(
            fc.property(fc.constantFrom(...paths), fc.oneof(fc.constantFrom(-1, 0, 0.5, 1, 1.5, 2, 3, 4, 7, 730, 2000), fc.double({ noNaN: true, min: -10, max: 10 })), (path, value) => {
                const group = setAt(path, value);
                expect(costProblems(group).length === 0).toBe(costConfigSchema.safeParse(group).success);
            }),
        );
    });

    it("names the field and what it accepts", () => {
        expect(costProblems({ targets: { totalCostRatio: 7 } })).toEqual(["cost.targets.totalCostRatio: a number from 0 to 1"]);
        expect(costProblems({ storage: { gb: { lake: -1 } } })).toEqual(["cost.storage.gb.lake: a number ≥ 0"]);
        expect(costProblems("lots")).toEqual(["cost: an object"]);
        expect(costProblems(undefined)).toEqual([]);
    });
});
