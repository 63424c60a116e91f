import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

export type A100Variant = "a100-40gb" | "a100-80gb";

/** Compute Engine quota IDs per A100 variant (a2-highgpu: 40 GB; a2-ultragpu: 80 GB). */
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

export interface GpuQuotaRequestArgs {
    project: string;
    region: string;
    variant: A100Variant;
    gpus: number;
    preemptibleGpus: number;
    contactEmail: string;
}

/**
 * Seed Phase 0 "Quota Request Submission": the A100 GPU quota the Databricks clusters need in
 * their region, on-demand (drivers, fallback) and preemptible (spot workers), filed as Cloud
 * Quotas preferences so the request is code, reviewed and repeatable. Phase 1 depends on it.
 */
export class GpuQuotaRequest extends pulumi.ComponentResource {
    readonly onDemand: gcp.cloudquota.SQuotaPreference;
    readonly preemptible: gcp.cloudquota.SQuotaPreference;

    constructor(name: string, args: GpuQuotaRequestArgs, opts?: pulumi.ComponentResourceOptions) {
        super("migration:gcp:GpuQuotaRequest", name, {}, opts);
        const ids = a100QuotaIds[args.variant];
        const preference = (suffix: string, quotaId: string, value: number) =>
            new gcp.cloudquota.SQuotaPreference(
                `${name}-${suffix}`,
                {
                    parent: `projects/${args.project}`,
                    service: "compute.googleapis.com",
                    quotaId,
                    dimensions: { region: args.region },
                    quotaConfig: { preferredValue: String(value) },
                    contactEmail: args.contactEmail,
                    justification: `Databricks on GCP A100 clusters for the ML platform migration (${args.variant})`,
                },
                { parent: this },
            );
        this.onDemand = preference("on-demand", ids.onDemand, args.gpus);
        this.preemptible = preference("preemptible", ids.preemptible, args.preemptibleGpus);
        this.registerOutputs({ onDemand: this.onDemand.id, preemptible: this.preemptible.id });
    }
}
