/**
 * docs/cost-rules.md names only policies the pack has, lists every seed cost rule, and quotes
 * the thresholds of domain/targets.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { packArgs } from "../../policies/all";
import { costRules, successGates } from "../../domain/targets";
import { configRowsByKey } from "./configRows";
import { projectDir } from "../harness";

const doc = fs.readFileSync(path.join(projectDir, "docs", "cost-rules.md"), "utf8");
const table = doc
    .split("\n")
    .filter((l) => l.startsWith("| `") || l.startsWith("| success"))
    .map((l) => l.split("|").map((c) => c.trim()));
const policyNames = new Set(packArgs.policies.map((p) => p.name));

/** seed key (snake_case, as in the seed's cost_rules) → the value in targets.ts. */
const seedRules: Record<string, number> = {
    "databricks.min_dbu_utilization": costRules.databricks.minDbuUtilization,
    "databricks.spot_instance_target": costRules.databricks.spotInstanceTarget,
    "databricks.cluster_idle_timeout": costRules.databricks.clusterIdleTimeoutMinutes,
    "gcp.spot_instance_target": costRules.gcp.spotInstanceTarget,
    "gcp.min_gpu_utilization": costRules.gcp.minGpuUtilization,
    "gcp.max_idle_time": costRules.gcp.maxIdleMinutes,
    "alerts.cost_threshold": costRules.dailyCostAlertUsd,
    "compute.gpu_memory_utilization": costRules.gpuMemoryUtilization,
};

describe("docs/cost-rules.md", () => {
    it("lists every seed cost rule with the threshold of targets.ts", () => {
        for (const [rule, value] of Object.entries(seedRules)) {
            const row = table.find((cells) => cells[1] === `\`${rule}\``);
            expect(row, rule).toBeDefined();
            const threshold = row![2].replace(/,/g, "");
            expect(threshold, rule).toContain(String(value));
        }
        const ratios = table.find((cells) => cells[1].startsWith("success metrics"))!;
        expect(ratios[2]).toContain(`${Math.round(successGates.totalCost.ratio * 100)}%`);
        expect(ratios[2]).toContain(`${Math.round(successGates.costPerTraining.ratio * 100)}%`);
    });

    it("names in its policy column only policies of the pack, and at least one per rule", () => {
        for (const cells of table) {
            const named = [...cells[3].matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1]).filter((n) => n.includes("-") && !/^[A-Z_]+$/.test(n));
            const policies = named.filter((n) => !["PREEMPTIBLE_WITH_FALLBACK_GCP", "OPTIMIZE_UTILIZATION"].includes(n));
            expect(policies.length, cells[1]).toBeGreaterThan(0);
            for (const name of policies) expect(policyNames.has(name), `${name} (${cells[1]})`).toBe(true);
        }
    });

    it("names in its config column only keys of the config schema", () => {
        const keys = configRowsByKey();
        for (const cells of table) {
            for (const m of cells[5].matchAll(/`([a-zA-Z0-9.]+)`/g)) {
                if (!m[1].includes(".")) continue;
                expect(keys.has(m[1]), `${m[1]} (${cells[1]})`).toBe(true);
            }
        }
    });

    it("names every policy it mentions anywhere as one the pack has", () => {
        for (const m of doc.matchAll(/`([a-z]+(?:-[a-z0-9]+)+)`/g)) {
            if (["cost-sql"].includes(m[1])) continue;
            expect(policyNames.has(m[1]), m[1]).toBe(true);
        }
    });
});
