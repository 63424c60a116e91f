/**
 * How many A100 GPUs the migration's Databricks clusters can hold at the same time, each at its
 * largest: the quota the stack requests must cover all of them, not one cluster. No Pulumi
 * import: config validation, the workload distribution and the tests read it.
 *
 * Counted: the all-purpose A100 cluster, the model_training job's training cluster (both
 * autoscaled to the same bounds) and the benchmark_suite job's fixed-size cluster; each job runs
 * one run at a time. Each cluster's driver is on demand (`firstOnDemand: 1`) and its workers are
 * preemptible; the on-demand fallback of a reclaimed worker is best effort on top. Clusters that
 * users create by hand under the A100 policy (one each, for the principals allowed to use it)
 * are not counted: request headroom for them if they are expected.
 */
import { a100ClusterWorkers } from "../targets";
import { a100NodeTypes, defaultA100NodeType } from "./nodeTypes";

export interface A100ClusterSize {
    name: string;
    /** Workers at the cluster's largest. */
    maxWorkers: number;
    /** Autoscaled clusters share what the quota leaves after the fixed-size ones. */
    autoscaled: boolean;
}

/** Benchmarks run at a fixed size, autoscaling would blur throughput: the cluster's minimum, at least one worker. */
export function benchmarkWorkers(minWorkers: number): number {
    return Math.max(1, minWorkers);
}

/** The A100 clusters that can run at once, each at its largest. */
export function a100ClustersAtOnce(sizes: { autoscaledMaxWorkers: number; minWorkers: number }): A100ClusterSize[] {
    return [
        { name: "the all-purpose A100 cluster", maxWorkers: sizes.autoscaledMaxWorkers, autoscaled: true },
        { name: "the model_training job's training cluster", maxWorkers: sizes.autoscaledMaxWorkers, autoscaled: true },
        { name: "the benchmark_suite job's cluster", maxWorkers: benchmarkWorkers(sizes.minWorkers), autoscaled: false },
    ];
}

export interface A100Demand {
    /** One driver per cluster, on demand. */
    onDemandGpus: number;
    /** Every worker of every cluster, preemptible. */
    preemptibleGpus: number;
}

export function a100Demand(clusters: readonly A100ClusterSize[], gpusPerNode: number): A100Demand {
    return {
        onDemandGpus: clusters.length * gpusPerNode,
        preemptibleGpus: clusters.reduce((sum, c) => sum + c.maxWorkers, 0) * gpusPerNode,
    };
}

/**
 * The workers each autoscaled cluster may reach when every cluster runs at once within a
 * preemptible quota: what the fixed-size clusters leave, shared evenly.
 */
export function autoscaledWorkerBudget(preemptibleGpus: number, gpusPerNode: number, minWorkers: number): number {
    const clusters = a100ClustersAtOnce({ autoscaledMaxWorkers: 0, minWorkers });
    const fixed = clusters.filter((c) => !c.autoscaled).reduce((sum, c) => sum + c.maxWorkers, 0);
    const autoscaled = clusters.filter((c) => c.autoscaled).length;
    return Math.max(0, Math.floor((Math.floor(preemptibleGpus / gpusPerNode) - fixed) / autoscaled));
}

/** The demand of the plan's own sizes on the default node type: the A100 quota's defaults. */
export const planA100Demand: A100Demand = a100Demand(
    a100ClustersAtOnce({ autoscaledMaxWorkers: a100ClusterWorkers.max, minWorkers: a100ClusterWorkers.min }),
    a100NodeTypes[defaultA100NodeType].gpus,
);
