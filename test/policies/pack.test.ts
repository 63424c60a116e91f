/**
 * The pack in `policies/` served as its own process, exactly as `pulumi preview --policy-pack
 * policies` starts it, and driven over the Analyzer protocol with the real program's graphs:
 * the phase-0 stacks pass, and a graph with each cost rule broken fails with that rule.
 */
import * as databricks from "@pulumi/databricks";
import { beforeAll, describe, expect, it } from "vitest";
import { costRules, deltaTableProperties, maxPhase, successGates } from "../../domain/targets";
import { packArgs, packName } from "../../policies/all";
import { Analysis, Diagnostic, mandatory, PolicyPackHandle } from "../../tools/pack/analyzer";
import { projectPackDir, sharedPack } from "../sharedPack";
import { evaluate, ProgramError } from "../../tools/engine/evaluate";
import { GraphResource, ResourceGraph, secretMarker, stackType } from "../../tools/model/graph";
import { unknownPlaceholder } from "../../tools/engine/wire";
import { baselineOf, estimateCost } from "../../tools/model/cost/estimate";
import { costInputsForStack } from "../../tools/cost/stackAssumptions";
import { phasePolicyConfig, stackPolicyConfig } from "../../tools/pack/config";
import { projectDir, runStack } from "../harness";
import { labels, trainingJob } from "./fixtures";

const packDir = projectPackDir;

let pack: PolicyPackHandle;
const graphs: Record<string, ResourceGraph> = {};

/** Databricks resources through the real SDK, registered under the offline engine. */
async function databricksResources(build: () => void): Promise<GraphResource[]> {
    const graph = await evaluate({ project: "gcp-databricks-migration", stack: "dev", config: {}, program: build });
    return graph.resources.filter((r) => r.type !== stackType);
}

function a100(name: string, overrides: Partial<databricks.ClusterArgs> = {}): databricks.Cluster {
    return new databricks.Cluster(name, {
        clusterName: name,
        sparkVersion: "15.4.x-gpu-ml-scala2.12",
        nodeTypeId: "a2-highgpu-1g",
        autoscale: { minWorkers: 2, maxWorkers: 8 },
        autoterminationMinutes: costRules.databricks.clusterIdleTimeoutMinutes,
        dataSecurityMode: "SINGLE_USER",
        singleUserName: "ml-platform@example.com",
        gcpAttributes: { availability: "PREEMPTIBLE_WITH_FALLBACK_GCP", firstOnDemand: 1 },
        sparkConf: { "spark.rapids.memory.gpu.allocFraction": String(costRules.gpuMemoryUtilization) },
        customTags: labels,
        ...overrides,
    });
}

function compliantDatabricks(): void {
    a100("a100");
    new databricks.Cluster("data-prep", {
        clusterName: "data-prep",
        sparkVersion: "15.4.x-scala2.12",
        nodeTypeId: "n2-highmem-8",
        runtimeEngine: "PHOTON",
        autoscale: { minWorkers: 1, maxWorkers: 4 },
        autoterminationMinutes: 20,
        gcpAttributes: { availability: "PREEMPTIBLE_WITH_FALLBACK_GCP", firstOnDemand: 1 },
        customTags: { ...labels, workload: "data-processing" },
    });
    // The same job the policy fixtures describe, registered through the engine.
    new databricks.Job("model-training", trainingJob().props as databricks.JobArgs);
    new databricks.SqlTable(
        "models",
        {
            catalogName: "ml",
            schemaName: "models",
            name: "models",
            tableType: "MANAGED",
            warehouseId: "warehouse",
            clusterKeys: ["model_id", "version"],
            columns: [{ name: "model_id", type: "string" }, { name: "version", type: "int" }],
            properties: { ...deltaTableProperties },
        },
        { protect: true, retainOnDelete: true },
    );
}

function withResources(graph: ResourceGraph, extra: GraphResource[]): ResourceGraph {
    return { ...graph, resources: [...graph.resources, ...extra] };
}

/** A copy of the graph with one resource changed. */
function changed(graph: ResourceGraph, type: string, change: (r: GraphResource) => void): ResourceGraph {
    const copy: ResourceGraph = structuredClone(graph);
    const targets = copy.resources.filter((r) => r.type === type);
    if (targets.length === 0) throw new Error(`no ${type} in the graph`);
    targets.forEach(change);
    return copy;
}

const atPhase = (graph: ResourceGraph, phase: number) =>
    changed(graph, stackType, (root) => {
        root.outputs = { ...root.outputs, phase };
    });

const byPolicy = (analysis: Analysis, policy: string): Diagnostic[] => analysis.diagnostics.filter((d) => d.policyName === policy);

beforeAll(async () => {
    pack = await sharedPack({ packDir });
    graphs.dev = await runStack("dev");
    graphs.prod = await runStack("prod");
    graphs.databricks = withResources(graphs.dev, await databricksResources(compliantDatabricks));
}, 300_000);

describe("the pack as the CLI starts it", () => {
    it("answers GetAnalyzerInfo with every policy and its config schema", () => {
        expect(pack.info).toMatchObject({ name: packName, version: "0.1.0", supportsConfig: true });
        const served = new Map(pack.info.policies.map((p) => [p.name, p]));
        expect([...served.keys()]).toEqual(packArgs.policies.map((p) => p.name));
        for (const policy of packArgs.policies) {
            const info = served.get(policy.name)!;
            expect(info.enforcementLevel, policy.name).toBe(policy.enforcementLevel);
            expect(info.description.length, policy.name).toBeGreaterThan(20);
            expect(Object.keys(info.configSchema?.properties ?? {}).sort(), policy.name).toEqual(Object.keys(policy.configSchema!.properties).sort());
            expect(info.configSchema?.properties.exempt, policy.name).toMatchObject({ type: "array", default: [] });
        }
    });

    it("serves the seed's numbers as config defaults", () => {
        const schema = (name: string) => pack.info.policies.find((p) => p.name === name)!.configSchema!.properties;
        expect(schema("databricks-autotermination").maxIdleMinutes.default).toBe(costRules.databricks.clusterIdleTimeoutMinutes);
        expect(schema("databricks-spot-share").minSpotShare.default).toBe(costRules.databricks.spotInstanceTarget);
        expect(schema("gke-gpu-spot-share").minSpotShare.default).toBe(costRules.gcp.spotInstanceTarget);
        expect(schema("daily-cost-alert").maxDailyCostUsd.default).toBe(costRules.dailyCostAlertUsd);
        expect(schema("utilization-alerts").minGpuUtilization.default).toBe(costRules.gcp.minGpuUtilization);
        expect(schema("utilization-alerts").minDbuUtilization.default).toBe(costRules.databricks.minDbuUtilization);
        expect(schema("gpu-memory-fraction").maxGpuMemoryFraction.default).toBe(costRules.gpuMemoryUtilization);
        expect(schema("promotion-gate").thresholds.default).toEqual(
            Object.fromEntries(Object.entries(successGates).map(([gate, { ratio }]) => [gate, ratio])),
        );
    });
});

describe("the real program's graphs", () => {
    for (const stack of ["dev", "prod"]) {
        it(`phase 0 of ${stack} has no violation, and the checks did run`, async () => {
            const analysis = await pack.analyze(graphs[stack], { stackTags: { env: stack } });
            expect(analysis.diagnostics).toEqual([]);
            const skipped = new Set(analysis.notApplicable.filter((n) => n.urn === undefined).map((n) => n.policyName));
            // The stack-level GKE and cost checks applied; the gate and the monitoring rule wait for later phases.
            expect(skipped.has("gke-gpu-spot-share")).toBe(false);
            expect(skipped.has("daily-cost-alert")).toBe(false);
            // Phase 0 is the baseline the cost ratios are measured against.
            expect(skipped).toEqual(new Set(["promotion-gate", "utilization-alerts", "cost-ratio-targets", "cost-ratio-forecast"]));
        });
    }

    it("phase 0 plus compliant Databricks compute, job and table passes", async () => {
        expect(mandatory((await pack.analyze(graphs.databricks)).diagnostics)).toEqual([]);
    });

    it("sees over the wire a resource that does not wait for its Google API (gcp-apis-enabled)", async () => {
        const graph = changed(graphs.prod, "gcp:compute/network:Network", (vpc) => {
            vpc.dependencies = vpc.dependencies.filter((d) => !d.includes("gcp:projects/service:Service"));
        });
        const found = byPolicy(await pack.analyze(graph), "gcp-apis-enabled");
        expect(found.map((d) => d.message)).toEqual([expect.stringContaining('"ml-vpc": the API compute.googleapis.com is enabled by gcp:projects/service:Service "apis-compute", but the resource does not wait for it')]);
        expect(found[0].enforcementLevel).toBe("mandatory");
    });

    it("never reads an unknown value as a violation", async () => {
        const graph = changed(graphs.prod, "gcp:container/nodePool:NodePool", (pool) => {
            pool.inputs.nodeConfig = unknownPlaceholder;
            pool.outputs.nodeConfig = unknownPlaceholder;
        });
        const unknownBudget = changed(graph, "gcp:billing/budget:Budget", (budget) => {
            budget.inputs.amount = unknownPlaceholder;
            budget.outputs.amount = unknownPlaceholder;
        });
        const analysis = await pack.analyze(unknownBudget);
        expect(analysis.diagnostics).toEqual([]);
    });
});

describe("every phase graph of both stacks that exists", () => {
    it("has no mandatory violation (the gate given passing benchmark results)", async () => {
        const atGates = Object.fromEntries(Object.entries(successGates).map(([gate, { ratio }]) => [gate, ratio]));
        const checked: string[] = [];
        const policies = new Set(pack.info.policies.map((p) => p.name));
        for (const stack of ["dev", "prod"]) {
            // Checked as the migration CLI checks a stack: its own policy config, its phase-0 cost baseline.
            const { usage } = costInputsForStack(projectDir, stack);
            const baseline = baselineOf(estimateCost(await runStack(stack, { "migration:phase": 0 }), { usage }));
            const base = stackPolicyConfig({ projectDir, stack, policyConfigKey: "migration:policyConfig" });
            for (let phase = 0; phase <= maxPhase; phase++) {
                let graph: ResourceGraph;
                try {
                    graph = await runStack(stack, { "migration:phase": phase });
                } catch (error) {
                    // Phases arrive one branch at a time; the program refuses those it cannot deploy yet.
                    if (error instanceof ProgramError && /deploys phases/.test(error.message)) continue;
                    throw error;
                }
                const results = { phase: Math.max(phase - 1, 0), metrics: atGates };
                const config = phasePolicyConfig({
                    base: { ...base, "promotion-gate": { results } },
                    policies,
                    configuredPhase: phase,
                    phase,
                    cost: { group: {}, baseline },
                });
                const analysis = await pack.analyze(graph, { config });
                expect(mandatory(analysis.diagnostics), `${stack} at phase ${phase}`).toEqual([]);
                checked.push(`${stack}@${phase}`);
            }
        }
        expect(checked).toEqual(expect.arrayContaining(["dev@0", "prod@0"]));
    });
});

describe("each cost rule broken fails with that rule", () => {
    const expectRule = (analysis: Analysis, policy: string, fragment: string, level = "mandatory") => {
        const found = byPolicy(analysis, policy);
        expect(found.length, `${policy} should fire`).toBeGreaterThan(0);
        expect(found[0].enforcementLevel).toBe(level);
        expect(found[0].message).toContain(fragment);
        return found;
    };

    it("databricks-autotermination", async () => {
        const graph = withResources(graphs.dev, await databricksResources(() => void a100("idle", { autoterminationMinutes: 120 })));
        expectRule(await pack.analyze(graph), "databricks-autotermination", "autoterminationMinutes is 120 minutes");
    });

    it("databricks-spot-workers", async () => {
        const graph = withResources(graphs.dev, await databricksResources(() => void a100("on-demand", { gcpAttributes: { availability: "ON_DEMAND_GCP" } })));
        expectRule(await pack.analyze(graph), "databricks-spot-workers", 'gcpAttributes.availability is "ON_DEMAND_GCP"');
    });

    it("databricks-spot-share", async () => {
        const graph = withResources(
            graphs.dev,
            await databricksResources(() => void a100("mostly-on-demand", { gcpAttributes: { availability: "PREEMPTIBLE_WITH_FALLBACK_GCP", firstOnDemand: 6 } })),
        );
        expectRule(await pack.analyze(graph), "databricks-spot-share", "the spot share of workers is 37.5%");
    });

    it("gke-gpu-spot-share", async () => {
        const prod = await runStack("prod", {
            "migration:h100": { machineType: "a3-highgpu-8g", minNodes: 2, maxNodes: 8, spotShare: 0.3, compactPlacement: true },
        });
        expectRule(await pack.analyze(prod), "gke-gpu-spot-share", "the spot share is 37.5% (24 of 64 GPUs");
    });

    it("gke-gpu-autoscaling", async () => {
        const prod = await runStack("prod", {
            "migration:gke": { releaseChannel: "STABLE", deletionProtection: true, autoscalingProfile: "BALANCED" },
        });
        const [diagnostic] = expectRule(await pack.analyze(prod), "gke-gpu-autoscaling", 'clusterAutoscaling.autoscalingProfile is "BALANCED"');
        expect(diagnostic.urn).toMatch(/gcp:container\/cluster:Cluster::ml-gke$/);
    });

    it("daily-cost-alert", async () => {
        const dev = await runStack("dev", {
            "migration:costMonitoring": {
                billingAccount: "01A2B3-C4D5E6-F7A8B9",
                dailyCostAlertUsd: 5000,
                notificationEmails: ["ml-platform-alerts@example.com"],
            },
        });
        expectRule(await pack.analyze(dev), "daily-cost-alert", "$5000/day, above 30417 per month");
        // The same graph passes where a team allows more, and the default graph fails a tighter limit.
        expect(byPolicy(await pack.analyze(dev, { config: { "daily-cost-alert": { maxDailyCostUsd: 5000 } } }), "daily-cost-alert")).toEqual([]);
        expectRule(await pack.analyze(graphs.dev, { config: { "daily-cost-alert": { maxDailyCostUsd: 500 } } }), "daily-cost-alert", "above 15208 per month");
    });

    it("utilization-alerts (from phase 3, when unified monitoring exists)", async () => {
        const analysis = await pack.analyze(atPhase(graphs.databricks, 3));
        const found = expectRule(analysis, "utilization-alerts", "GPU utilisation alerting is no alert");
        expect(found.map((d) => d.urn?.split("::").pop()).sort()).toEqual(["a100", "data-prep", "h100-spot"]);
    });

    it("gpu-memory-fraction (advisory: a seed target)", async () => {
        const graph = withResources(
            graphs.dev,
            await databricksResources(() => void a100("greedy", { sparkConf: { "spark.rapids.memory.gpu.allocFraction": "0.95" } })),
        );
        const analysis = await pack.analyze(graph);
        expectRule(analysis, "gpu-memory-fraction", 'sparkConf["spark.rapids.memory.gpu.allocFraction"] is 0.95', "advisory");
        expect(mandatory(analysis.diagnostics)).toEqual([]);
    });

    it("an enforcement level is overridable in config", async () => {
        const graph = withResources(graphs.dev, await databricksResources(() => void a100("idle", { autoterminationMinutes: 120 })));
        const analysis = await pack.analyze(graph, { config: { "databricks-autotermination": "advisory" } });
        expectRule(analysis, "databricks-autotermination", "autoterminationMinutes", "advisory");
    });
});

describe("safety and the gate over the wire", () => {
    it("sees protect, secrets and the stack phase as the engine sends them", async () => {
        const unprotected = changed(graphs.dev, "gcp:bigquery/dataset:Dataset", (d) => {
            d.protect = false;
        });
        expect(byPolicy(await pack.analyze(unprotected), "stateful-resources-protected")[0].message).toContain("protect is false");

        const credentials = (declared: boolean) =>
            changed(graphs.dev, "pulumi:providers:gcp", (p) => {
                p.inputs.credentials = secretMarker();
                p.additionalSecretOutputs = declared ? ["credentials", "accessToken"] : ["accessToken"];
            });
        expect(byPolicy(await pack.analyze(credentials(true)), "provider-secrets")).toEqual([]);
        expect(byPolicy(await pack.analyze(credentials(false)), "provider-secrets")[0].message).toContain("credentials is set without a secret marking");
    });

    it("blocks phase 2 without benchmark results and allows it with passing ones", async () => {
        const phase2 = atPhase(graphs.dev, 2);
        const [blocked] = byPolicy(await pack.analyze(phase2), "promotion-gate");
        expect(blocked.enforcementLevel).toBe("mandatory");
        expect(blocked.message).toContain("missing: trainingThroughput, convergenceTime, inferenceLatency, inferenceThroughput, totalCost, costPerTraining");
        const results = { phase: 1, metrics: { trainingThroughput: 0.97, convergenceTime: 1.02, inferenceLatency: 1.05, inferenceThroughput: 0.93, totalCost: 0.64, costPerTraining: 0.7 } };
        expect(byPolicy(await pack.analyze(phase2, { config: { "promotion-gate": { results } } }), "promotion-gate")).toEqual([]);
    });
});
