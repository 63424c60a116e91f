/**
 * How much training work a GPU does, relative to an H100: what makes an A100-hour and an
 * H100-hour comparable. Pure, no Pulumi import. The cost model prices one training run at equal
 * work with it, and the workload distribution counts GPU capacity with it, so both speak of the
 * same unit (H100-equivalents).
 *
 * A measured figure beats this table: the benchmark suite's one-GPU large-batch comparison
 * (`ml_migration.benchmarks.per_gpu_throughput_ratio`), recorded in the stack as
 * `migration:cost.training.measuredThroughput`. Until a stack has one, the figures below are
 * used, and every report says so.
 */
import type { A100Variant } from "./gcp/gpuQuota";

export interface ThroughputSource {
    short: string;
    title: string;
    url: string;
    asOf: string;
}

export type RelativeThroughput =
    | { perH100: number; source: ThroughputSource; note?: string; assumption?: false }
    | { perH100: number; assumption: true; reason: string };

const mlperfTraining30: ThroughputSource = {
    short: "MLPerf Training v3.0, ResNet-50",
    title:
        "MLPerf Training v3.0, ResNet-50: Dell submissions with the same CPUs and 16 GPUs each, H100-SXM5-80GB 7.8 min and " +
        "A100-SXM-80GB 14.4 min to train (H100 1.8× faster; 1.4× on 3D U-Net, 2.0× on DLRM), as compared by Silverton Consulting",
    url: "https://silvertonconsulting.com/2023/07/12/mlperf-results-show-h100-v-a100-and-v-habana-gaudi2-gpus/",
    asOf: "2023-07-12",
};

/** Training throughput per GPU, H100 = 1, by the GPU's GCP accelerator type. */
export const relativeTrainingThroughput: Record<string, RelativeThroughput> = {
    "nvidia-h100-80gb": { perH100: 1, source: mlperfTraining30, note: "the reference" },
    "nvidia-h100-mega-80gb": {
        perH100: 1,
        assumption: true,
        reason: "the same H100 chip as a3-highgpu; A3 Mega's faster networking helps multi-node runs, which this does not credit",
    },
    "nvidia-a100-80gb": { perH100: Number((7.8 / 14.4).toFixed(4)), source: mlperfTraining30 },
    "nvidia-tesla-a100": {
        perH100: Number((7.8 / 14.4).toFixed(4)),
        assumption: true,
        reason:
            "the MLPerf comparison used 80 GB A100s; the 40 GB A100 of a2-highgpu has the same compute and less memory bandwidth, " +
            "so its figure is taken as an upper bound",
    },
};

/** The GCP accelerator type of each A100 variant (a2-highgpu: 40 GB, a2-ultragpu: 80 GB). */
export const a100Accelerators: Record<A100Variant, string> = {
    "a100-40gb": "nvidia-tesla-a100",
    "a100-80gb": "nvidia-a100-80gb",
};

/** A GPU's throughput relative to another's, and what that number rests on. */
export interface ThroughputRatio {
    ratio: number;
    basis: "measured" | "assumption" | "sourced";
    /** A short line for summaries: the figure and what it rests on. */
    short: string;
    /** The full line for breakdowns: the figure, the GPUs and every source or reason. */
    detail: string;
}

/** The stack's measured figure, as `migration:cost.training.measuredThroughput` records it. */
export interface MeasuredThroughput {
    /** Training throughput of one Databricks GPU over one GCP GPU (the suite's large_batch ratio). */
    ratio: number;
    /** Which runs it comes from ("benchmark_results run <databricks> vs <gcp>"). */
    source: string;
}

function describe(type: string, entry: RelativeThroughput): string {
    return entry.assumption ? `${type} ${entry.perH100} (assumption: ${entry.reason})` : `${type} ${entry.perH100} (${entry.source.title}, ${entry.source.asOf})`;
}

/**
 * How much training work one `gpuType` GPU does per `referenceType` GPU: the stack's measured
 * figure when it has one, else the table's. Unknown types are refused with the known ones.
 */
export function throughputRatio(gpuType: string, referenceType: string, measured?: MeasuredThroughput): ThroughputRatio {
    if (measured) {
        if (!(measured.ratio > 0)) throw new RangeError(`measured throughput ratio ${measured.ratio}: expected a number above 0`);
        const short = `${measured.ratio} of a ${referenceType} per ${gpuType}, measured (${measured.source})`;
        return { ratio: measured.ratio, basis: "measured", short, detail: short };
    }
    const known = Object.keys(relativeTrainingThroughput).join(", ");
    const gpu = relativeTrainingThroughput[gpuType];
    const reference = relativeTrainingThroughput[referenceType];
    if (!gpu || !reference) {
        throw new RangeError(`no relative training throughput for ${!gpu ? gpuType : referenceType}: known GPU types are ${known}; record a measured one in migration:cost.training.measuredThroughput`);
    }
    const ratio = Number((gpu.perH100 / reference.perH100).toFixed(4));
    const basis = gpu.assumption || reference.assumption ? "assumption" : "sourced";
    const parts = gpuType === referenceType ? describe(gpuType, gpu) : `${describe(gpuType, gpu)}; ${describe(referenceType, reference)}`;
    const sources = [...new Set([gpu, reference].flatMap((e) => (e.assumption ? [] : [e.source.short])))];
    const short = `${ratio} of a ${referenceType} per ${gpuType}, ${basis === "assumption" ? "an assumption" : "sourced"} (${[...sources, ...(basis === "assumption" ? ["domain/gpuThroughput.ts"] : [])].join("; ")})`;
    return { ratio, basis, short, detail: `${gpuType} / ${referenceType} = ${ratio} per GPU, ${basis === "assumption" ? "an assumption" : "sourced"}: ${parts}` };
}
