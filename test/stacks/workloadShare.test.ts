/**
 * The workload share on the real phase-3 graphs: the sizes the distribution computes are the
 * sizes deployed, the moved schedules follow the share, and the share moves cost.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { distributeWorkload } from "../../domain/workloadDistribution";
import { parseStackConfig } from "../../domain/stackConfig";
import { workloadDistributionInput } from "../../domain/hybridConfig";
import { estimateCost } from "../../tools/model/cost/estimate";
import { costInputsForStack } from "../../tools/cost/stackAssumptions";
import { GraphResource, ResourceGraph } from "../../tools/model/graph";
import { readProject, readStackConfig } from "../../tools/engine/project";
import { byName, byType, projectDir, runStack } from "../harness";
import { job, JobCluster } from "./databricksGraph";

const shares = [0, 0.4, 0.6, 1] as const;
const overrides = (share: number) => ({ "migration:phase": "3", "migration:workload": { databricksShare: share } });

function distributionFor(stack: string, share: number) {
    const { values, secretKeys } = readStackConfig(readProject(projectDir), stack);
    for (const [key, value] of Object.entries(overrides(share))) values[key] = typeof value === "string" ? value : JSON.stringify(value);
    return distributeWorkload(workloadDistributionInput(parseStackConfig({ values, secretKeys: new Set(secretKeys), stack })));
}

const autoscaling = (pool: GraphResource) => pool.inputs.autoscaling as { totalMinNodeCount: number; totalMaxNodeCount: number };
const pool = (graph: ResourceGraph, name: string) => byType(graph, "gcp:container/nodePool:NodePool").find((p) => p.name === name);
const jobClusterSpec = (graph: ResourceGraph, jobName: string, key: string) => (job(graph, jobName).inputs.jobClusters as JobCluster[]).find((c) => c.jobClusterKey === key)!.newCluster;
const jobCluster = (graph: ResourceGraph, jobName: string, key: string) => jobClusterSpec(graph, jobName, key).autoscale as { minWorkers: number; maxWorkers: number };

/** [A100 workers, H100 nodes, data-prep workers, C4A nodes] at their maxima, as deployed. */
function deployedMaxima(graph: ResourceGraph): number[] {
    const h100 = ["h100-on-demand", "h100-spot"].map((n) => pool(graph, n)).filter((p): p is GraphResource => p !== undefined);
    return [
        (byName(graph, "databricks:index/cluster:Cluster", "a100").inputs.autoscale as { maxWorkers: number }).maxWorkers,
        h100.reduce((n, p) => n + autoscaling(p).totalMaxNodeCount, 0),
        jobCluster(graph, "model_training", "data_prep").maxWorkers,
        autoscaling(pool(graph, "c4a-data")!).totalMaxNodeCount,
    ];
}

describe.each(["dev", "prod"])("the workload share on %s", (stack) => {
    const graphs = new Map<number, ResourceGraph>();
    let phase2: ResourceGraph;
    beforeAll(async () => {
        for (const share of shares) graphs.set(share, await runStack(stack, overrides(share)));
        phase2 = await runStack(stack, { "migration:phase": "2" });
    });

    it.each(shares)("deploys the distribution's sizes at share %s", (share) => {
        const graph = graphs.get(share)!;
        const d = distributionFor(stack, share);
        const a100 = byName(graph, "databricks:index/cluster:Cluster", "a100").inputs.autoscale;
        expect(a100).toEqual({ minWorkers: d.databricks.a100Workers.min, maxWorkers: d.databricks.a100Workers.max });
        // The training job cluster is fixed at the A100 maximum: its run uses every worker GPU.
        expect(jobClusterSpec(graph, "model_training", "training").numWorkers).toBe(d.databricks.a100Workers.max);
        const dataPrep = { minWorkers: d.databricks.dataPrepWorkers.min, maxWorkers: d.databricks.dataPrepWorkers.max };
        expect(jobCluster(graph, "model_training", "data_prep")).toEqual(dataPrep);
        expect(jobCluster(graph, "data_migration", "migrate")).toEqual(dataPrep);
        // The A100 cluster policy admits the resized cluster.
        const policy = JSON.parse(byName(graph, "databricks:index/clusterPolicy:ClusterPolicy", "a100-policy").inputs.definition as string);
        expect(policy["autoscale.max_workers"].maxValue).toBe(d.databricks.a100Workers.max);

        for (const [name, side] of [["h100-on-demand", d.gcp.h100.onDemand], ["h100-spot", d.gcp.h100.spot]] as const) {
            const deployed = pool(graph, name);
            if (side.max === 0) expect(deployed, name).toBeUndefined();
            else expect(autoscaling(deployed!), name).toMatchObject({ totalMinNodeCount: side.min, totalMaxNodeCount: side.max });
        }
        expect(autoscaling(pool(graph, "c4a-data")!)).toMatchObject({ totalMinNodeCount: d.gcp.c4aNodes.min, totalMaxNodeCount: d.gcp.c4aNodes.max });
        expect(graph.outputs.databricksShare).toBe(share);
    });

    it("pauses the moved workloads' schedule at share 0 only, and keeps cost tracking and maintenance running", () => {
        for (const share of shares) {
            const graph = graphs.get(share)!;
            const pause = (name: string) => (job(graph, name).inputs.schedule as { pauseStatus: string }).pauseStatus;
            // dev deploys every schedule paused (migration:databricks.schedulesPaused).
            const configuredPause = stack === "dev" ? "PAUSED" : "UNPAUSED";
            expect(pause("model_training"), `share ${share}`).toBe(share === 0 ? "PAUSED" : configuredPause);
            expect(pause("cost_tracking")).toBe(configuredPause);
            expect(pause("delta_maintenance")).toBe(configuredPause);
        }
    });

    it("gives GCP more and Databricks less as the share falls, never the other way round", () => {
        const maxima = shares.map((s) => deployedMaxima(graphs.get(s)!));
        for (let i = 1; i < maxima.length; i++) {
            const [lower, higher] = [maxima[i - 1], maxima[i]];
            expect(higher[0]).toBeGreaterThanOrEqual(lower[0]);
            expect(higher[1]).toBeLessThanOrEqual(lower[1]);
            expect(higher[2]).toBeGreaterThanOrEqual(lower[2]);
            expect(higher[3]).toBeLessThanOrEqual(lower[3]);
        }
        if (stack === "prod") {
            // Worked by hand in test/domain/workloadDistribution.test.ts. The A100 maxima stop at
            // 16: the all-purpose, training and benchmark clusters can all run at once within the 48
            // preemptible A100s requested (48 / 3).
            expect(maxima).toEqual([
                [3, 8, 3, 16],
                [16, 6, 16, 12],
                [16, 4, 24, 8],
                [16, 3, 40, 2],
            ]);
        }
    });

    it("moves cost from GCP to Databricks as the share grows", () => {
        const { usage } = costInputsForStack(projectDir, stack);
        const estimates = shares.map((s) => estimateCost(graphs.get(s)!, { usage }));
        for (const e of estimates) {
            expect(e.unpriced).toEqual([]);
            expect(e.warnings).toEqual([]);
        }
        for (let i = 1; i < estimates.length; i++) {
            expect(estimates[i].gcpMonthlyUsd).toBeLessThanOrEqual(estimates[i - 1].gcpMonthlyUsd + 1e-6);
            expect(estimates[i].databricksMonthlyUsd).toBeGreaterThanOrEqual(estimates[i - 1].databricksMonthlyUsd - 1e-6);
        }
        expect(estimates[3].gcpMonthlyUsd).toBeLessThan(estimates[0].gcpMonthlyUsd);
        // At share 0 the training job is paused: it costs nothing, and training is the GCP pools' again.
        const allGcp = estimates[0];
        expect(allGcp.resources.find((l) => l.name === "model-training")!.monthlyUsd).toBe(0);
        expect(allGcp.perTrainingSource).toBe("gcp-pools");
    });

    it("means everything on GCP at share 0: phase 2's GCP sizes, Databricks clusters at their minimum", () => {
        const allGcp = graphs.get(0)!;
        for (const name of ["h100-on-demand", "h100-spot", "c4a-data"]) {
            expect(pool(allGcp, name)?.inputs.autoscaling, name).toEqual(pool(phase2, name)?.inputs.autoscaling);
        }
        const { minWorkers, maxWorkers } = byName(allGcp, "databricks:index/cluster:Cluster", "a100").inputs.autoscale as { minWorkers: number; maxWorkers: number };
        // Databricks autoscaling needs max > min: the smallest cluster it allows.
        expect(maxWorkers).toBe(minWorkers + 1);
        expect(jobCluster(allGcp, "model_training", "data_prep").maxWorkers).toBe(jobCluster(allGcp, "model_training", "data_prep").minWorkers + 1);
    });
});
