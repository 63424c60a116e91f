import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { packArgs } from "../../policies/all";
import { databricksAutotermination } from "../../policies/cost/databricksAutotermination";
import { gkeGpuAutoscaling } from "../../policies/cost/gkeGpuCapacity";
import { hasUnknown, isUnknown, snapshot, unknown as unknownMarker } from "../../tools/model/values";
import { a100Cluster, gkeCluster, gpuPool } from "./fixtures";
import { runResourcePolicy, runStackPolicy, unknown } from "./policyHarness";

describe("snapshot", () => {
    it("turns the proxy's unknown-value errors and raw sentinels into the marker", () => {
        const throwing = new Proxy({ known: 1, nested: { later: 2 } } as Record<string, unknown>, {
            get: (target, key) => {
                if (key === "nested") return { get later(): never { throw Object.assign(new Error("x"), { unknownTypeSentinel: unknown }); } };
                return target[key as string];
            },
        });
        const snap = snapshot(throwing) as Record<string, Record<string, unknown>>;
        expect(snap.known).toBe(1);
        expect(isUnknown(snap.nested.later)).toBe(true);
        expect(hasUnknown(snap)).toBe(true);
        expect(snapshot({ a: [unknown] })).toEqual({ a: [unknownMarker] });
    });
});

describe("exempt (a config key of every policy)", () => {
    it("skips an exempted resource", async () => {
        const cluster = a100Cluster({ autoterminationMinutes: 240 });
        expect((await runResourcePolicy(databricksAutotermination, cluster)).violations).toHaveLength(1);
        const outcome = await runResourcePolicy(databricksAutotermination, cluster, { config: { exempt: ["a100"] } });
        expect(outcome).toEqual({ violations: [], notApplicable: '"a100" is exempted in the policy config' });
    });

    it("drops stack-level violations about an exempted resource only", async () => {
        const fixtures = [gkeCluster(), gpuPool("h100-spot", { spot: true, max: 2, autoscaling: false }), gpuPool("h100-pinned", { spot: false, min: 1, max: 1 })];
        expect((await runStackPolicy(gkeGpuAutoscaling, fixtures)).violations).toHaveLength(2);
        const outcome = await runStackPolicy(gkeGpuAutoscaling, fixtures, { config: { exempt: ["h100-spot"] } });
        expect(outcome.violations.map((v) => v.urn?.split("::").pop())).toEqual(["h100-pinned"]);
    });
});

describe("policies/README.md", () => {
    it("lists every policy with its level, kind and config keys", () => {
        const readme = fs.readFileSync(path.resolve(__dirname, "../../policies/README.md"), "utf8");
        for (const policy of packArgs.policies) {
            const row = readme.split("\n").find((line) => line.startsWith(`| \`${policy.name}\` |`));
            expect(row, policy.name).toBeDefined();
            const [, , level, kind, config] = row!.split("|").map((cell) => cell.trim());
            expect(level, policy.name).toBe(policy.enforcementLevel);
            expect(kind, policy.name).toBe("validateStack" in policy ? "stack" : "resource");
            for (const key of Object.keys(policy.configSchema!.properties).filter((k) => k !== "exempt")) {
                expect(config, `${policy.name}.${key}`).toContain(`\`${key}\``);
            }
        }
    });
});
