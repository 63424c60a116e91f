/**
 * The cost-ratio policies, called the way the pack's server calls a stack policy, on prod's
 * real phase-0 graph (the baseline) and hand-built phase-3 variants of it: GKE pools shrunk
 * to the GCP share and a Databricks model_training job added.
 */
import type { PolicyResource, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { beforeAll, describe, expect, it } from "vitest";
import { costRatioForecast, costRatioTargets } from "../../policies/cost/costRatio";
import { costRatioPolicyConfig, CostRatioPolicyConfig, costRatioTargetsPolicy } from "../../domain/packContract";
import { baselineOf, CostBaseline, estimateCost } from "../../tools/model/cost/estimate";
import { GraphResource } from "../../tools/model/graph";
import { runStack } from "../harness";

class NotApplicable extends Error {}

interface Outcome {
    violations: { message: string; urn?: string }[];
    notApplicable?: string;
}

function policyResource(r: { urn: string; type: string; name: string; inputs: Record<string, unknown> }): PolicyResource {
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        props: r.inputs,
        opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
    } as unknown as PolicyResource;
}

async function check(policy: StackValidationPolicy, resources: PolicyResource[], config: CostRatioPolicyConfig): Promise<Outcome> {
    const violations: Outcome["violations"] = [];
    const args: StackValidationArgs = {
        resources,
        stackTags: new Map(),
        getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
    try {
        await policy.validateStack(args, (message: string, urn?: string) => violations.push({ message, urn }));
    } catch (error) {
        if (error instanceof NotApplicable) return { violations, notApplicable: error.message };
        throw error;
    }
    return { violations };
}

let baselineGraph: GraphResource[];
let baseline: CostBaseline;

beforeAll(async () => {
    baselineGraph = (await runStack("prod")).resources;
    baseline = baselineOf(estimateCost({ resources: baselineGraph }));
});

/** prod's pools at the GCP share of phase 3 (40% of the H100 capacity), as plain copies. */
function hybridGcp(h100: { onDemand: [number, number]; spot: [number, number] }): PolicyResource[] {
    return baselineGraph.map((r) => {
        const bounds = r.name === "h100-on-demand" ? h100.onDemand : r.name === "h100-spot" ? h100.spot : undefined;
        if (!bounds || r.type !== "gcp:container/nodePool:NodePool") return policyResource(r);
        const autoscaling = { ...(r.inputs.autoscaling as object), totalMinNodeCount: bounds[0], totalMaxNodeCount: bounds[1] };
        return policyResource({ ...r, inputs: { ...r.inputs, autoscaling } });
    });
}

const urn = (type: string, name: string) => `urn:pulumi:prod::gcp-databricks-migration::${type}::${name}`;

function trainingJob(train: Record<string, unknown>): PolicyResource {
    const type = "databricks:index/job:Job";
    return policyResource({
        urn: urn(type, "model-training"),
        type,
        name: "model-training",
        inputs: {
            name: "model_training",
            schedule: { quartzCronExpression: "0 0 * * * ?", timezoneId: "UTC" },
            jobClusters: [
                { jobClusterKey: "prep", newCluster: { nodeTypeId: "n2-highmem-8", numWorkers: 4, runtimeEngine: "PHOTON" } },
                { jobClusterKey: "train", newCluster: train },
            ],
            tasks: [
                { taskKey: "data_prep", jobClusterKey: "prep" },
                { taskKey: "training", jobClusterKey: "train", dependsOns: [{ taskKey: "data_prep" }] },
            ],
            tags: { phase: "phase-2" },
        },
    });
}

const a100Spot = {
    nodeTypeId: "a2-highgpu-8g",
    driverNodeTypeId: "n2-highmem-8",
    autoscale: { minWorkers: 2, maxWorkers: 4 },
    gcpAttributes: { availability: "PREEMPTIBLE_WITH_FALLBACK_GCP", firstOnDemand: 1 },
};

const phase3 = (train: Record<string, unknown> = a100Spot, h100 = { onDemand: [1, 1] as [number, number], spot: [0, 2] as [number, number] }) => [
    ...hybridGcp(h100),
    trainingJob(train),
];

describe(`${costRatioTargetsPolicy} (mandatory)`, () => {
    it("passes a phase-3 stack whose estimate meets both targets", async () => {
        const outcome = await check(costRatioTargets, phase3(), { phase: 3, cost: {}, baseline });
        expect(outcome).toEqual({ violations: [] });
        const estimate = estimateCost({ resources: phase3().map((r) => ({ urn: r.urn, type: r.type, name: r.name, inputs: r.props })) }, { baseline });
        expect(estimate.baselineRatio!).toBeLessThan(0.7);
        expect(estimate.perTrainingRatio!).toBeLessThan(0.75);
    });

    it("fails when the GCP share stays at full size beside Databricks (total past 70%)", async () => {
        const outcome = await check(costRatioTargets, phase3(a100Spot, { onDemand: [2, 3], spot: [0, 5] }), { phase: 3, cost: {}, baseline });
        expect(outcome.violations).toHaveLength(1);
        expect(outcome.violations[0].message).toMatch(/^phase 3: estimated \$[\d,.]+ a month is 1\d\d\.\d% of the phase-0 GCP baseline \$[\d,.]+; the target is ≤ 70\.0% \(cost\.targets\.totalCostRatio\)\. Largest: h100-on-demand/);
        const usd = baseline.monthlyUsd.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
        expect(outcome.violations[0].message).toContain(`of the phase-0 GCP baseline $${usd};`);
    });

    it("fails when the training node type and on-demand workers push cost per training past 75%", async () => {
        const h100OnDemand = { nodeTypeId: "a3-highgpu-8g", numWorkers: 8 };
        const outcome = await check(costRatioTargets, phase3(h100OnDemand), { phase: 3, cost: {}, baseline });
        const messages = outcome.violations.map((v) => v.message);
        // The baseline run is one a3-highgpu-8g node's work for 0.5 h; the same H100s on Databricks, on demand, cost more for it.
        const run = messages.find((m) => /one training run is estimated at/.test(m));
        expect(run).toMatch(/one training run is estimated at \$[\d,.]+, \d+\.\d% of the baseline's \$30\.59; the target is ≤ 75\.0%/);
        expect(run).toContain("The run rests on equal work: 64 × nvidia-h100-80gb for 0.06 h = 8 × nvidia-h100-80gb for 0.5 h on GCP; the same GPU (nvidia-h100-80gb) on both platforms");
    });

    it("follows tightened targets from the stack's cost config", async () => {
        const outcome = await check(costRatioTargets, phase3(), { phase: 3, cost: { targets: { totalCostRatio: 0.3 } }, baseline });
        expect(outcome.violations.map((v) => v.message).join("\n")).toMatch(/the target is ≤ 30\.0%/);
    });

    it("reports a resource it cannot price, by URN, instead of passing on a partial total", async () => {
        const odd = trainingJob({ nodeTypeId: "x9-unknown-8g", numWorkers: 2 });
        const outcome = await check(costRatioTargets, [...hybridGcp({ onDemand: [1, 1], spot: [0, 2] }), odd], { phase: 3, cost: {}, baseline });
        expect(outcome.violations.find((v) => v.urn === odd.urn)?.message).toMatch(/could not be priced: gcp\.machines\.x9-unknown-8g is not in the price catalog/);
        expect(outcome.violations.some((v) => /cost of one training run could not be estimated/.test(v.message))).toBe(true);
    });

    it("fails closed without a baseline", async () => {
        const outcome = await check(costRatioTargets, phase3(), { phase: 3, cost: {} });
        expect(outcome.violations[0].message).toMatch(/no phase-0 baseline in the policy config/);
    });

    it("leaves earlier phases to the advisory policy, and reads the phase from the stack outputs when config has none", async () => {
        expect((await check(costRatioTargets, phase3(), { phase: 2, cost: {}, baseline })).notApplicable).toMatch(/before phase 3; cost-ratio-forecast/);
        const stack = policyResource({ urn: urn("pulumi:pulumi:Stack", "gcp-databricks-migration-prod"), type: "pulumi:pulumi:Stack", name: "prod", inputs: { phase: 2 } });
        expect((await check(costRatioTargets, [stack, ...phase3()], { cost: {}, baseline })).notApplicable).toMatch(/before phase 3/);
        expect((await check(costRatioTargets, phase3(), { cost: {}, baseline })).notApplicable).toMatch(/no phase/);
    });
});

describe("cost-ratio-forecast (advisory)", () => {
    it("reports a missed target before phase 3 as advice", async () => {
        const outcome = await check(costRatioForecast, phase3(a100Spot, { onDemand: [2, 3], spot: [0, 5] }), { phase: 2, cost: {}, baseline });
        expect(costRatioForecast.enforcementLevel).toBe("advisory");
        expect(outcome.violations[0].message).toMatch(/^phase 2: .* the target is ≤ 70\.0%/);
    });

    it("is not applicable in phase 0 (the baseline) or from the mandatory phase on", async () => {
        expect((await check(costRatioForecast, hybridGcp({ onDemand: [2, 3], spot: [0, 5] }), { phase: 0, cost: {}, baseline })).notApplicable).toMatch(/baseline/);
        expect((await check(costRatioForecast, phase3(), { phase: 3, cost: {}, baseline })).notApplicable).toMatch(/mandatory cost-ratio-targets/);
        expect((await check(costRatioForecast, phase3(), { phase: 2, cost: { targets: { mandatoryFromPhase: 2 } }, baseline })).notApplicable).toMatch(/mandatory/);
    });

    it("reports an invalid cost config rather than guessing", async () => {
        const outcome = await check(costRatioForecast, phase3(), { phase: 1, cost: { targets: { totalCostRatio: 7 } }, baseline });
        expect(outcome.violations[0].message).toMatch(/cost config is invalid \(cost\.targets\.totalCostRatio: a number from 0 to 1\)/);
    });
});

describe("costRatioPolicyConfig", () => {
    it("gives both policies the same phase, cost group and baseline", () => {
        const config = { phase: 3, cost: { training: { runsPerMonth: 100 } }, baseline };
        expect(costRatioPolicyConfig(config)).toEqual({ "cost-ratio-targets": config, "cost-ratio-forecast": config });
    });
});
