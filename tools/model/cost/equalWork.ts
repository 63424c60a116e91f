/**
 * One training run as the same work on both platforms. The work is what a GCP run does: the
 * GPUs it uses on the GKE training pools (`cost.training.gcpGpus`, one node when unset) for the
 * training task's hours (`cost.training.taskHours`). On GCP that costs those GPU-hours at the
 * pools' price per GPU-hour (spot and on-demand in the proportion of the pools' maxima); on
 * Databricks the training job cluster's worker GPUs do the same work in
 *
 *     hours × GCP GPUs ÷ (Databricks GPUs × work of one Databricks GPU per GCP GPU)
 *
 * and cost the whole cluster (driver included) for that long. The work of one GPU per the other
 * is the suite's measured figure when the stack records one, else the sourced or assumed table
 * of domain/gpuThroughput.ts; `basis` says which, and every report repeats it.
 *
 * Pure: the pool and cluster facts come from the resources and the catalog.
 */
import { MeasuredThroughput, ThroughputRatio, throughputRatio } from "../../../domain/gpuThroughput";
import { CostConfig } from "../../../domain/costUsage";
import { PriceCatalog } from "./catalog";
import { formatNumber, num, PricedResource, record, str } from "./lines";
import { labelOf } from "../labels";

/** The reference work of one training run: GCP's GPUs, their type, the task and its hours. */
export interface TrainingReference {
    task: string;
    gpuType: string;
    gpus: number;
    hours: number;
    /** "8 × nvidia-h100-80gb for 0.5 h (one a3-highgpu-8g node; cost.training.gcpGpus)". */
    describe: string;
}

export type PerTrainingBasis = ThroughputRatio["basis"] | "same GPU" | "configured hours";

/** The GPU task of the training workflow and the GPUs one GCP run of it uses, from the GKE pools that run it. */
export function trainingReference(resources: readonly PricedResource[], usage: CostConfig, catalog: PriceCatalog): TrainingReference | undefined {
    for (const r of resources) {
        if (r.type !== "gcp:container/nodePool:NodePool") continue;
        const workload = labelOf(r.type, r.inputs, "workload");
        const task = workload ? usage.training.gkeWorkloadTask[workload] : undefined;
        const machineType = str(record(r.inputs.nodeConfig).machineType);
        const accelerator = machineType ? catalog.gcp.machines[machineType]?.accelerator : undefined;
        const hours = task !== undefined ? usage.training.taskHours[task] : undefined;
        if (!task || !accelerator || hours === undefined) continue;
        const gpus = usage.training.gcpGpus ?? accelerator.count;
        const how = usage.training.gcpGpus !== undefined ? "cost.training.gcpGpus" : `one ${machineType} node; cost.training.gcpGpus to change`;
        return { task, gpuType: accelerator.type, gpus, hours, describe: `${gpus} × ${accelerator.type} for ${formatNumber(hours)} h (${how})` };
    }
    return undefined;
}

/** The work of one GPU of `gpuType` per reference GPU, and what it rests on. */
export function ratioFor(gpuType: string, reference: TrainingReference, measured: MeasuredThroughput | undefined): Omit<ThroughputRatio, "basis"> & { basis: PerTrainingBasis } {
    if (!measured && gpuType === reference.gpuType) {
        const same = `the same GPU (${gpuType}) on both platforms`;
        return { ratio: 1, basis: "same GPU", short: same, detail: same };
    }
    return throughputRatio(gpuType, reference.gpuType, measured);
}

/** A GPU pool's part in the reference run: its nodes at their maximum and what one costs an hour. */
export interface TrainingPoolShare {
    nodes: number;
    gpusPerNode: number;
    nodeUsdPerHour: number;
}

/** The GCP run's GPU cost: the reference GPU-hours at the pools' blended price per GPU-hour; each pool's part. */
export function gcpGpuRunCost(reference: TrainingReference, pools: readonly TrainingPoolShare[]): { total: number; parts: number[]; usdPerGpuHour: number } {
    const gpus = pools.reduce((n, p) => n + p.nodes * p.gpusPerNode, 0);
    if (gpus === 0) return { total: 0, parts: pools.map(() => 0), usdPerGpuHour: 0 };
    const usdPerGpuHour = pools.reduce((usd, p) => usd + p.nodes * p.nodeUsdPerHour, 0) / gpus;
    const total = reference.gpus * reference.hours * usdPerGpuHour;
    return { total, parts: pools.map((p) => (total * p.nodes * p.gpusPerNode) / gpus), usdPerGpuHour };
}

/** Hours the Databricks GPUs take for the reference work. */
export function equalWorkHours(reference: TrainingReference, databricksGpus: number, ratio: number): number {
    if (!(databricksGpus > 0) || !(ratio > 0)) throw new RangeError(`equal work on ${databricksGpus} GPUs at a ratio of ${ratio}: expected both above 0`);
    return (reference.hours * reference.gpus) / (databricksGpus * ratio);
}

/** GPUs of one node of a machine or node type, by the catalog; 0 for a CPU type. */
export function gpusOf(catalog: PriceCatalog, machineType: string | undefined): { gpus: number; gpuType?: string } {
    const accelerator = machineType ? catalog.gcp.machines[machineType]?.accelerator : undefined;
    return accelerator ? { gpus: num(accelerator.count) ?? 0, gpuType: accelerator.type } : { gpus: 0 };
}
