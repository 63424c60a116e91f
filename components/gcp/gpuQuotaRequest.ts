import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { a100QuotaIds, A100Variant, allRegionsGpuQuotaId, computeService } from "../../domain/gcp/gpuQuota";
import { MigrationComponent } from "../stateful";

export { a100QuotaIds, type A100Variant } from "../../domain/gcp/gpuQuota";

export interface GpuQuotaRequestArgs {
    project: string;
    region: string;
    variant: A100Variant;
    gpus: number;
    preemptibleGpus: number;
    /** The project's all-regions GPU ceiling to request: H100 and A100 together. */
    allRegionsGpus: number;
    /** The account Google contacts about the request; it must hold quota-update permission on the project. */
    contactEmail: string;
}

const emailPattern = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * The plan's "Quota Request Submission", as Cloud Quotas preferences so the request is code,
 * reviewed and repeatable: the A100 GPUs the Databricks clusters need in their region,
 * on-demand (drivers, fallback) and preemptible (spot workers), and the project's all-regions
 * GPU ceiling, which the GKE H100s and the A100s count against together.
 *
 * A preference below what the project already has is a decrease request: Cloud Quotas refuses
 * one below current usage (no safety check is ignored here), so size the values up, never down.
 * `migration promote --to 1` waits until the granted values cover these.
 */
export class GpuQuotaRequest extends MigrationComponent {
    readonly onDemand: gcp.cloudquota.SQuotaPreference;
    readonly preemptible: gcp.cloudquota.SQuotaPreference;
    readonly allRegions: gcp.cloudquota.SQuotaPreference;

    constructor(name: string, args: GpuQuotaRequestArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems: string[] = [];
        for (const key of ["gpus", "preemptibleGpus", "allRegionsGpus"] as const) {
            if (!Number.isInteger(args[key]) || args[key] < 0) problems.push(`${key} ${args[key]}: expected an integer ≥ 0`);
        }
        if (args.allRegionsGpus < args.gpus + args.preemptibleGpus) {
            problems.push(`allRegionsGpus ${args.allRegionsGpus}: expected at least the A100 GPUs requested (${args.gpus + args.preemptibleGpus}), which count against it`);
        }
        if (!emailPattern.test(args.contactEmail)) problems.push(`contactEmail ${JSON.stringify(args.contactEmail)}: expected an e-mail address`);
        if (problems.length > 0) throw new Error(`GpuQuotaRequest ${name}: ${problems.join("; ")}`);
        super("migration:gcp:GpuQuotaRequest", name, {}, opts);

        const ids = a100QuotaIds[args.variant];
        const preference = (suffix: string, quotaId: string, value: number, dimensions: Record<string, string> | undefined, justification: string) =>
            new gcp.cloudquota.SQuotaPreference(
                `${name}-${suffix}`,
                {
                    parent: `projects/${args.project}`,
                    service: computeService,
                    quotaId,
                    ...(dimensions ? { dimensions } : {}),
                    quotaConfig: { preferredValue: String(value) },
                    contactEmail: args.contactEmail,
                    justification,
                },
                { parent: this },
            );
        const a100 = `Databricks on GCP A100 clusters for the ML platform migration (${args.variant}), every cluster that can run at once`;
        this.onDemand = preference("on-demand", ids.onDemand, args.gpus, { region: args.region }, a100);
        this.preemptible = preference("preemptible", ids.preemptible, args.preemptibleGpus, { region: args.region }, a100);
        this.allRegions = preference(
            "all-regions",
            allRegionsGpuQuotaId,
            args.allRegionsGpus,
            undefined,
            "ML platform migration: the GKE H100 pools and the Databricks A100 clusters at their largest, together",
        );
        this.registerOutputs({ onDemand: this.onDemand.id, preemptible: this.preemptible.id, allRegions: this.allRegions.id });
    }
}
