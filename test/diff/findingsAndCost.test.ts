import { describe, expect, it } from "vitest";
import { Violation } from "../../tools/report/report";
import { estimateCost } from "../../tools/model/cost/estimate";
import { diffCost } from "../../tools/diff/cost";
import { diffFindings } from "../../tools/diff/findings";
import { gcpResources, nodePool, res, roundCatalog, roundUsage } from "../model/cost/fixtures/smallGraph";

const finding = (policy: string, urn: string | undefined, message: string, enforcementLevel: Violation["enforcementLevel"] = "mandatory"): Violation => ({
    policyPack: "pack",
    policy,
    enforcementLevel,
    ...(urn ? { urn } : {}),
    message,
});

describe("diffFindings", () => {
    it("sorts findings into new, fixed and unchanged by policy, resource and level", () => {
        const before = [finding("spot-share", "u1", "found 0.5, limit 0.6"), finding("idle", "u2", "60 min"), finding("labels", undefined, "missing", "advisory")];
        const after = [finding("spot-share", "u1", "found 0.4, limit 0.6"), finding("labels", undefined, "missing", "advisory"), finding("idle", "u3", "45 min")];
        const diff = diffFindings(before, after);
        expect(diff.unchanged.map((v) => [v.policy, v.message])).toEqual([
            ["spot-share", "found 0.4, limit 0.6"],
            ["labels", "missing"],
        ]);
        expect(diff.new.map((v) => [v.policy, v.urn])).toEqual([["idle", "u3"]]);
        expect(diff.fixed.map((v) => [v.policy, v.urn])).toEqual([["idle", "u2"]]);
    });

    it("counts a finding raised from advisory to mandatory as new", () => {
        const diff = diffFindings([finding("cost-ratio", undefined, "71%", "advisory")], [finding("cost-ratio", undefined, "71%", "mandatory")]);
        expect(diff.new).toHaveLength(1);
        expect(diff.fixed).toHaveLength(1);
        expect(diff.unchanged).toEqual([]);
    });

    it("matches repeated findings on one resource by message first", () => {
        const diff = diffFindings([finding("p", "u", "a"), finding("p", "u", "b")], [finding("p", "u", "b"), finding("p", "u", "c"), finding("p", "u", "d")]);
        expect(diff.unchanged.map((v) => v.message)).toEqual(["b", "c"]);
        expect(diff.new.map((v) => v.message)).toEqual(["d"]);
        expect(diff.fixed).toEqual([]);
    });
});

describe("diffCost", () => {
    const estimate = (resources: ReturnType<typeof gcpResources>) => estimateCost({ resources }, { catalog: roundCatalog, usage: roundUsage() });

    it("gives both totals and the resources whose monthly cost moved, largest first", () => {
        const before = gcpResources();
        const after = before.map((r) => (r.name === "cpu-spot" ? { ...r, inputs: { ...r.inputs, autoscaling: { totalMinNodeCount: 0, totalMaxNodeCount: 8 } } } : r)).filter((r) => r.name !== "lake");
        const a = estimate(before);
        const b = estimate(after);
        const diff = diffCost(a, b)!;
        expect(diff.before!.monthlyUsd).toBe(a.monthlyUsd);
        expect(diff.after!.monthlyUsd).toBe(b.monthlyUsd);
        expect(diff.resources.map((r) => r.name).sort()).toEqual(["cpu-spot", "lake"]);
        const pool = diff.resources.find((r) => r.name === "cpu-spot")!;
        expect(pool.deltaUsd).toBeCloseTo(pool.after!.monthlyUsd - pool.before!.monthlyUsd, 6);
        expect(pool.deltaUsd).toBeGreaterThan(0);
        const lake = diff.resources.find((r) => r.name === "lake")!;
        expect(lake.after).toBeNull();
        expect(lake.deltaUsd).toBeCloseTo(-lake.before!.monthlyUsd, 6);
        const moved = diff.resources.reduce((sum, r) => sum + r.deltaUsd!, 0);
        expect(moved).toBeCloseTo(b.monthlyUsd - a.monthlyUsd, 6);
    });

    it("lists a resource that cannot be priced with no delta rather than as zero", () => {
        const unpriceable = res(nodePool, "mystery", { autoscaling: { totalMaxNodeCount: 2 }, nodeConfig: { machineType: "no-such-machine" } });
        const diff = diffCost(estimate(gcpResources()), estimate([...gcpResources(), unpriceable]))!;
        expect(diff.resources).toEqual([expect.objectContaining({ name: "mystery", before: null, after: { monthlyUsd: 0, priced: false }, deltaUsd: null })]);
        expect(diff.after!.unpriced).toEqual([unpriceable.urn]);
    });

    it("has one side only for a stack added or removed by the change", () => {
        const diff = diffCost(undefined, estimate(gcpResources()))!;
        expect(diff.before).toBeNull();
        expect(diff.resources.every((r) => r.before === null)).toBe(true);
        expect(diffCost(undefined, undefined)).toBeUndefined();
    });
});
