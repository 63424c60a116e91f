/**
 * How many A100 GPUs the migration's Databricks clusters can hold at the same time, each at its
 * largest: the quota the stack requests must cover all of them, not one cluster. No Pulumi
 * import: config validation, the workload distribution and the tests read it.
 *
 * Counted: the all-purpose A100 cluster (autoscaled up to the A100 maximum), and the
 * model_training job's training cluster and the benchmark_suite job's cluster, both fixed at that
 * maximum (the training size: every worker's GPU trains, and a benchmark measures the same
 * shape); each job runs one run at a time. Each cluster's driver is on demand (`firstOnDemand: 1`) and its workers are
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

/** The A100 clusters that can run at once, each at its largest. */
export function a100ClustersAtOnce(sizes: { maxWorkers: number }): A100ClusterSize[] {
    return [
        { name: "the all-purpose A100 cluster", maxWorkers: sizes.maxWorkers, autoscaled: true },
        { name: "the model_training job's training cluster", maxWorkers: sizes.maxWorkers, autoscaled: false },
        { name: "the benchmark_suite job's cluster", maxWorkers: sizes.maxWorkers, autoscaled: false },
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
 * The A100 maximum (workers) that keeps every cluster at once within a preemptible quota: every
 * cluster is sized from it, so the quota's nodes are shared evenly.
 */
export function a100WorkerBudget(preemptibleGpus: number, gpusPerNode: number): number {
    return Math.floor(Math.floor(preemptibleGpus / gpusPerNode) / a100ClustersAtOnce({ maxWorkers: 0 }).length);
}

/** The demand of the plan's own sizes on the default node type: the A100 quota's defaults. */
export const planA100Demand: A100Demand = a100Demand(
    a100ClustersAtOnce({ maxWorkers: a100ClusterWorkers.max }),
    a100NodeTypes[defaultA100NodeType].gpus,
);
