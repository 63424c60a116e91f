/**
 * The hybrid workload distribution (seed "Week 3: Load Distribution") as real capacity: one
 * share (the Databricks part of the workload) and one total capacity in, the autoscaling
 * maxima of both platforms and the state of the moved workloads' schedules out. Pure, so it is
 * tested on its own (including property tests) and the program, the docs and the gradual
 * rollback read the same rules.
 *
 * Capacity comes in two units, because the seed pairs the platforms twice ("H100s ↔ A100s",
 * "C4As ↔ Delta Lake") and GPUs do not trade against CPUs:
 * - GPU capacity, in H100-equivalents: the Databricks A100 workers (the all-purpose training
 *   cluster and the training job's cluster) against the GKE H100 nodes, which are then split
 *   spot / on-demand as in phase 0. A GPU counts as the training work it does per H100
 *   (`perGpu`, domain/gpuThroughput.ts, or the stack's measured figure), so a share of the
 *   capacity is a share of the work, as the cost model's equal-work training run counts it;
 * - data-processing vCPUs: the Databricks data-prep workers against the GKE C4A nodes.
 *
 * Rules:
 * - Databricks gets `share × capacity`, rounded down to whole workers; GCP gets the rest,
 *   rounded up to whole nodes. Rounding favours GCP, the side that already runs the work.
 * - Every size stays within its range: never below the platform's minimum (Databricks
 *   autoscaling needs max > min; a GKE pool keeps its floor — the H100 floor only as far as
 *   it leaves each H100 pool room to scale down — at least one node, and the H100
 *   pools keep the spot/on-demand pools they have at their configured size, so the share
 *   resizes pools and never adds or removes one), never above its ceiling (the A100
 *   preemptible quota, the configured GKE pool maxima, the Databricks worker limit).
 * - The workloads that moved (standard training, batch inference, data processing) run on
 *   Databricks while the share is above 0; at 0 their schedules are paused and everything is
 *   on GCP, with the Databricks clusters at their minimum.
 */
import { maxDatabricksWorkers } from "./databricks/nodeTypes";
import { NodeBounds, splitBySpotShare, SpotSplit } from "./gcp/spotSplit";
import { HybridWorkload, hybridWorkloadSplit } from "./targets";

export type Platform = "databricks" | "gcp";

export interface WorkloadDistributionInput {
    /** The Databricks share of the workload, 0 to 1 (seed: 0.6). */
    databricksShare: number;
    /** Total GPU capacity of both platforms, in H100-equivalents (A100 worker GPUs × a100.perGpu + H100 node GPUs × h100.perGpu). */
    gpus: number;
    /** Total data-processing vCPUs of both platforms (data-prep workers + C4A nodes). */
    dataVcpus: number;
    /** `perGpu`: the training work of one GPU per H100 (1 for an H100). */
    a100: { gpusPerNode: number; perGpu: number; minWorkers: number; preemptibleGpuQuota: number };
    h100: { gpusPerNode: number; perGpu: number; minNodes: number; maxNodes: number; spotShare: number };
    dataPrep: { vcpusPerNode: number; minWorkers: number };
    c4a: { vcpusPerNode: number; minNodes: number; maxNodes: number };
}

/** The values a sized maximum may take, whatever the share. */
export interface SizeRange {
    floor: number;
    ceiling: number;
}

export interface DistributionLimits {
    a100Workers: SizeRange;
    h100Nodes: SizeRange;
    dataPrepWorkers: SizeRange;
    c4aNodes: SizeRange;
    /** Capacity that both platforms' floors take at once (GPUs in H100-equivalents); a smaller total leaves the share nothing to move. */
    minimumCapacity: { gpus: number; dataVcpus: number };
}

export interface WorkloadDistribution {
    databricksShare: number;
    databricks: {
        a100Workers: NodeBounds;
        dataPrepWorkers: NodeBounds;
        /** GPUs of the A100 workers at their maximum. */
        gpus: number;
        /** Their capacity in H100-equivalents. */
        gpuCapacity: number;
        /** vCPUs of the data-prep workers at their maximum. */
        vcpus: number;
    };
    gcp: {
        h100Nodes: NodeBounds;
        /** The H100 nodes split into the spot and on-demand pools. */
        h100: SpotSplit;
        c4aNodes: NodeBounds;
        gpus: number;
        gpuCapacity: number;
        vcpus: number;
    };
    /** Where each workload of the seed's split runs. */
    placement: Record<HybridWorkload, Platform>;
    /** Whether the schedules of the workloads that moved to Databricks run (false at share 0). */
    movedSchedulesRun: boolean;
}

/** Rounds away binary noise (0.6 × 10 = 6.000000000000001) before a floor or ceiling. */
const exact = (x: number) => Number(x.toFixed(9));

const clamp = (value: number, range: SizeRange) => Math.min(range.ceiling, Math.max(range.floor, value));

/** A node's capacity in H100-equivalents. */
const perNode = (gpu: { gpusPerNode: number; perGpu: number }) => gpu.gpusPerNode * gpu.perGpu;

function inputProblems(input: WorkloadDistributionInput): string[] {
    const problems: string[] = [];
    const whole = (name: string, value: number, min: number) => {
        if (!Number.isInteger(value) || value < min) problems.push(`${name} ${value}: expected an integer ≥ ${min}`);
    };
    if (!(input.databricksShare >= 0 && input.databricksShare <= 1)) {
        problems.push(`databricksShare ${input.databricksShare}: expected a number from 0 to 1`);
    }
    if (!(input.h100.spotShare >= 0 && input.h100.spotShare <= 1)) {
        problems.push(`h100.spotShare ${input.h100.spotShare}: expected a number from 0 to 1`);
    }
    if (!(Number.isFinite(input.gpus) && input.gpus > 0)) problems.push(`gpus ${input.gpus}: expected a capacity above 0 (H100-equivalents)`);
    for (const [name, value] of [["a100.perGpu", input.a100.perGpu], ["h100.perGpu", input.h100.perGpu]] as const) {
        if (!(Number.isFinite(value) && value > 0)) problems.push(`${name} ${value}: expected the work of one GPU per H100, above 0`);
    }
    whole("dataVcpus", input.dataVcpus, 1);
    whole("a100.gpusPerNode", input.a100.gpusPerNode, 1);
    whole("a100.minWorkers", input.a100.minWorkers, 0);
    whole("a100.preemptibleGpuQuota", input.a100.preemptibleGpuQuota, 0);
    whole("h100.gpusPerNode", input.h100.gpusPerNode, 1);
    whole("h100.minNodes", input.h100.minNodes, 0);
    whole("h100.maxNodes", input.h100.maxNodes, 1);
    whole("dataPrep.vcpusPerNode", input.dataPrep.vcpusPerNode, 1);
    whole("dataPrep.minWorkers", input.dataPrep.minWorkers, 0);
    whole("c4a.vcpusPerNode", input.c4a.vcpusPerNode, 1);
    whole("c4a.minNodes", input.c4a.minNodes, 0);
    whole("c4a.maxNodes", input.c4a.maxNodes, 1);
    if (input.h100.minNodes > input.h100.maxNodes) problems.push(`h100.minNodes ${input.h100.minNodes}: expected at most maxNodes (${input.h100.maxNodes})`);
    if (input.c4a.minNodes > input.c4a.maxNodes) problems.push(`c4a.minNodes ${input.c4a.minNodes}: expected at most maxNodes (${input.c4a.maxNodes})`);
    return problems;
}

/** Which of the two H100 pools (on-demand, spot) a split creates: GKE refuses a pool of maximum 0. */
function poolsOf(split: SpotSplit): string {
    return `${split.onDemand.max > 0 ? "on-demand" : ""}/${split.spot.max > 0 ? "spot" : ""}`;
}

/**
 * The smallest H100 maximum that keeps the pools the configured maximum has: shrinking to
 * fewer nodes must not delete the on-demand pool (the capacity that survives a preemption
 * wave, and what real-time inference runs on) or the spot one.
 */
function h100Floor(h100: WorkloadDistributionInput["h100"]): number {
    const pools = poolsOf(splitBySpotShare({ min: h100.minNodes, max: h100.maxNodes }, h100.spotShare));
    let floor = Math.max(h100.minNodes, 1);
    while (floor < h100.maxNodes && poolsOf(splitBySpotShare({ min: h100.minNodes, max: floor }, h100.spotShare)) !== pools) floor += 1;
    return floor;
}

/** The range of every sized maximum, and the least capacity that holds both platforms' floors. */
export function distributionLimits(input: WorkloadDistributionInput): DistributionLimits {
    const problems = inputProblems(input);
    if (problems.length > 0) throw new RangeError(`workload distribution: ${problems.join("; ")}`);

    const limits = {
        // Databricks autoscaling needs max strictly above min.
        a100Workers: { floor: input.a100.minWorkers + 1, ceiling: Math.floor(input.a100.preemptibleGpuQuota / input.a100.gpusPerNode) },
        h100Nodes: { floor: h100Floor(input.h100), ceiling: input.h100.maxNodes },
        dataPrepWorkers: { floor: input.dataPrep.minWorkers + 1, ceiling: maxDatabricksWorkers },
        c4aNodes: { floor: Math.max(input.c4a.minNodes, 1), ceiling: input.c4a.maxNodes },
    };
    const empty = Object.entries(limits).filter(([, range]) => range.floor > range.ceiling);
    if (empty.length > 0) {
        throw new RangeError(
            `workload distribution: ${empty
                .map(([name, range]) => `${name} has a floor of ${range.floor} above its ceiling of ${range.ceiling}`)
                .join("; ")} (the A100 ceiling is the preemptible quota ÷ GPUs per node)`,
        );
    }
    return {
        ...limits,
        minimumCapacity: {
            gpus: exact(limits.a100Workers.floor * perNode(input.a100) + limits.h100Nodes.floor * perNode(input.h100)),
            dataVcpus: limits.dataPrepWorkers.floor * input.dataPrep.vcpusPerNode + limits.c4aNodes.floor * input.c4a.vcpusPerNode,
        },
    };
}

export function distributeWorkload(input: WorkloadDistributionInput): WorkloadDistribution {
    const limits = distributionLimits(input);
    const short = (["gpus", "dataVcpus"] as const).filter((unit) => input[unit] < limits.minimumCapacity[unit]);
    if (short.length > 0) {
        throw new RangeError(
            `workload distribution: ${short
                .map((unit) => `${unit} ${input[unit]}: expected at least ${limits.minimumCapacity[unit]}, both platforms' minimums`)
                .join("; ")}`,
        );
    }
    const share = input.databricksShare;

    const databricksCapacity = exact(share * input.gpus);
    const a100Max = clamp(Math.floor(exact(databricksCapacity / perNode(input.a100))), limits.a100Workers);
    const h100Max = clamp(Math.ceil(exact((input.gpus - databricksCapacity) / perNode(input.h100))), limits.h100Nodes);

    const databricksVcpus = exact(share * input.dataVcpus);
    const dataPrepMax = clamp(Math.floor(exact(databricksVcpus / input.dataPrep.vcpusPerNode)), limits.dataPrepWorkers);
    const c4aMax = clamp(Math.ceil(exact((input.dataVcpus - databricksVcpus) / input.c4a.vcpusPerNode)), limits.c4aNodes);

    // The floor shrinks with GCP's part when it would otherwise pin a pool at its maximum: a
    // pool that cannot scale down never removes an idle node (the seed's 15-minute idle rule).
    const h100Pools = [splitBySpotShare({ min: 0, max: h100Max }, input.h100.spotShare)].flatMap((p) => [p.spot, p.onDemand]).filter((p) => p.max > 0).length;
    const h100Nodes = { min: Math.min(input.h100.minNodes, Math.max(h100Max - h100Pools, 0)), max: h100Max };
    const moved = share > 0;
    const placement = Object.fromEntries([
        ...hybridWorkloadSplit.databricks.map((w) => [w, moved ? "databricks" : "gcp"] as const),
        ...hybridWorkloadSplit.gcp.map((w) => [w, "gcp"] as const),
    ]) as Record<HybridWorkload, Platform>;

    return {
        databricksShare: share,
        databricks: {
            a100Workers: { min: input.a100.minWorkers, max: a100Max },
            dataPrepWorkers: { min: input.dataPrep.minWorkers, max: dataPrepMax },
            gpus: a100Max * input.a100.gpusPerNode,
            gpuCapacity: exact(a100Max * perNode(input.a100)),
            vcpus: dataPrepMax * input.dataPrep.vcpusPerNode,
        },
        gcp: {
            h100Nodes,
            h100: splitBySpotShare(h100Nodes, input.h100.spotShare),
            c4aNodes: { min: input.c4a.minNodes, max: c4aMax },
            gpus: h100Max * input.h100.gpusPerNode,
            gpuCapacity: exact(h100Max * perNode(input.h100)),
            vcpus: c4aMax * input.c4a.vcpusPerNode,
        },
        placement,
        movedSchedulesRun: moved,
    };
}
