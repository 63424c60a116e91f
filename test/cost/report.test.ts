import { describe, expect, it } from "vitest";
import { estimateCost } from "../../tools/model/cost/estimate";
import { formatCostBreakdown, formatCostDiffMarkdown } from "../../tools/cost/report";
import { databricksResources, gcpResources, nodePool, res, roundCatalog, roundUsage } from "../model/cost/fixtures/smallGraph";

const baseline = estimateCost({ resources: gcpResources() }, { catalog: roundCatalog, usage: roundUsage() });
const next = estimateCost(
    { resources: [...gcpResources(), ...databricksResources(), res(nodePool, "mystery", { autoscaling: { totalMaxNodeCount: 1 }, nodeConfig: { machineType: "q1-unknown" } })] },
    { catalog: roundCatalog, usage: roundUsage(), baseline: { monthlyUsd: baseline.monthlyUsd, perTrainingUsd: baseline.perTrainingUsd } },
);

describe("formatCostBreakdown", () => {
    const text = formatCostBreakdown(next, { stack: "prod", phase: 3 });

    it("prints one row per resource, largest first, with totals and the ratios against the target", () => {
        expect(text).toContain("Estimated monthly cost — stack prod — phase 3 — catalog fixture");
        const rows = text.split("\n");
        const first = rows.findIndex((r) => r.startsWith("gpu-od"));
        expect(first).toBeGreaterThan(0);
        expect(rows[first]).toMatch(/gcp:NodePool\s+gcp\s+0\s+\$1,414\.00\s+\$20\.20/);
        expect(rows.findIndex((r) => r.startsWith("training-job"))).toBe(first + 1);
        expect(text).toContain("Total            $1,759.38 a month (GCP $1,470.00, Databricks $289.38)");
        expect(text).toContain("Per training run $12.03 (the Databricks training job)");
        expect(text).toContain("  rests on       equal work: 24 × gpu-x for 0.67 h = 8 × gpu-x for 2 h on GCP; the same GPU (gpu-x) on both platforms");
        expect(text).toContain("total 119.7% of $1,470.00 (MISSES ≤ 70.0%), per training 58.4% (meets ≤ 75.0%)");
    });

    it("shows what it could not price, and what it does not model", () => {
        expect(text).toMatch(/mystery\s+gcp:NodePool\s+gcp\s+-\s+UNPRICED/);
        expect(text).toContain("WARNING: 1 resource(s) could not be priced and are not in the totals:");
        expect(text).toContain("Not modelled (no cost of their own, or usage-priced only): gcp:Network ×1");
    });
});

describe("formatCostDiffMarkdown", () => {
    const markdown = formatCostDiffMarkdown(baseline, next, "Cost: phase 0 → phase 3");

    it("tabulates baseline, new, change and % for the total, each side and a training run", () => {
        expect(markdown).toContain("### Cost: phase 0 → phase 3");
        expect(markdown).toContain("| | Baseline | New | Change | % |");
        expect(markdown).toContain("| Monthly total | $1,470.00 | $1,759.38 | +$289.38 | +19.7% |");
        expect(markdown).toContain("| Databricks | $0.00 | $289.38 | +$289.38 | new |");
        expect(markdown).toContain("| Per training run | $20.60 | $12.03 | −$8.57 | −41.6% |");
        expect(markdown).toContain("total **119.7%** (MISSES ≤ 70.0%), per training **58.4%** (meets ≤ 75.0%); one training run rests on equal work: 24 × gpu-x");
    });

    it("lists the resources whose cost changed, and warns about unpriced ones", () => {
        expect(markdown).toContain("| `training-job` (databricks:Job) added | — | $120.33 | +$120.33 |");
        expect(markdown).not.toContain("`gpu-od`");
        expect(markdown).toMatch(/⚠️ 1 resource\(s\) could not be priced .*mystery/);
    });
});
