/**
 * The GPU quotas the stacks request through Cloud Quotas, as data: which quota IDs, and how the
 * all-regions ceiling that every GPU of the project counts against is sized. No Pulumi import:
 * the component files the preferences, config validation sizes them, and `migration promote`
 * reads the granted values of the same quota IDs back.
 */

export type A100Variant = "a100-40gb" | "a100-80gb";

/** The service every GPU quota of Compute Engine belongs to. */
export const computeService = "compute.googleapis.com";

/** Compute Engine quota IDs per A100 variant (a2-highgpu: 40 GB; a2-ultragpu: 80 GB), per region. */
export const a100QuotaIds: Record<A100Variant, { onDemand: string; preemptible: string }> = {
    "a100-40gb": {
        onDemand: "NVIDIA-A100-GPUS-per-project-region",
        preemptible: "PREEMPTIBLE-NVIDIA-A100-GPUS-per-project-region",
    },
    "a100-80gb": {
        onDemand: "NVIDIA-A100-80GB-GPUS-per-project-region",
        preemptible: "PREEMPTIBLE-NVIDIA-A100-80GB-GPUS-per-project-region",
    },
};

/**
 * The project-wide GPU ceiling: the H100s of GKE and the A100s of Databricks count against it
 * together, in every region. It has no dimensions (it is not per region).
 */
export const allRegionsGpuQuotaId = "GPUS-ALL-REGIONS-per-project";

export interface AllRegionsGpuNeed {
    /** H100 GPUs of every GKE pool at its largest, on-demand and spot. */
    h100Gpus: number;
    /** The A100 GPUs requested, on demand and preemptible. */
    a100Gpus: number;
}

/**
 * The all-regions preference: every GPU the stack can run at once. Spot and preemptible GPUs
 * are counted too, so the ceiling never stops a node the regional quotas would allow.
 */
export function allRegionsGpus(need: AllRegionsGpuNeed): number {
    return need.h100Gpus + need.a100Gpus;
}
