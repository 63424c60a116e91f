/**
 * The stack configuration schema: every `migration:*` key, its type, default and what it
 * accepts. `config.ts` reads the stack's values through it; the docs generator and the
 * offline engine read the same schema, so there is one definition of every key.
 *
 * Each leaf carries an `accepted` text that the error report quotes, so a bad value is
 * answered with what would have been right rather than a parser's internals.
 */
import { z } from "zod";
import { planA100Demand } from "./databricks/a100Demand";
import { containerImagePattern, cronSchedulePattern, defaultBaselineImage } from "./performanceBaseline";
import {
    a100NodeTypeNames,
    cpuNodeTypePattern,
    cpuRuntimePattern,
    defaultA100NodeType,
    defaultCpuRuntime,
    defaultGpuMlRuntime,
    gpuMlRuntimePattern,
    maxDatabricksWorkers,
    warehouseSizes,
} from "./databricks/nodeTypes";
import {
    a100ClusterWorkers,
    costRules,
    gradualRollbackStages,
    hybridDatabricksShare,
    maxPhase,
    performanceDegradationAlert,
} from "./targets";
import { costConfigSchema } from "./costConfig";
import { gcpIdAccepted, gcpIdPattern, serviceAccountEmailPattern } from "./gcpNames";
import { atLeast, field, fieldMeta, FieldMeta, flag, fraction, integer, matching, oneOf, positive } from "./schemaFields";
import { gpusOfMachineType } from "./gcp/machineTypes";

export { fieldMeta, type FieldMeta };

const degradationAccepted = `a fraction above 0, at most ${performanceDegradationAlert} (the seed's alert at a ${
    performanceDegradationAlert * 100
}% drop, or stricter)`;

const cidrPattern = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;
const cidr = () => matching(cidrPattern, "an IPv4 CIDR block such as 10.10.0.0/20");
const labelValue = () => matching(/^[a-z0-9_-]{1,63}$/, "1-63 lowercase letters, digits, '_' or '-'");
const emailAddress = z.email({ error: "an e-mail address" });
const emails = (min: number) => {
    const accepted = `a list of ${min > 0 ? "at least one " : ""}e-mail address${min > 0 ? "" : "es"}`;
    return field(z.array(emailAddress, { error: accepted }).min(min, { error: accepted }), { accepted });
};

const uuid = (accepted: string) =>
    matching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, accepted);

/** Account group names; `users` and `admins` are workspace-local groups, which cannot be assigned or granted. */
const groupNames = () => {
    const accepted = "a list of Databricks account group names (letters, digits, spaces, '.', '_' or '-'; not the workspace-local users or admins)";
    const name = z
        .string({ error: accepted })
        .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/, { error: accepted })
        .refine((g) => !["users", "admins"].includes(g), { error: accepted });
    return field(z.array(name, { error: accepted }), { accepted });
};

const quotaContactAccepted =
    "the e-mail of a Google account (a person or a service account, not a group) with quota-update permission on the project";
const quotaGroupAccepted = `{ contactEmail: ${quotaContactAccepted} }, and optionally allRegionsGpus`;

export const gcpRegionPattern = /^[a-z]+-[a-z]+\d$/;

const timestamp = () => matching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/, "a UTC time such as 2026-03-02T09:00:00.000Z");

/** The record of a gradual rollback kept in the stack's config (read and written by tools/lifecycle/gradual.ts). */
export function gradualRollbackSchema() {
    return z.strictObject({
        status: oneOf(["in-progress", "aborted", "complete"]),
        startedAt: timestamp(),
        /** The phase-3 Databricks share the rollback started from. */
        startShare: fraction(),
        /** The last stage started (0 before the first). */
        stage: integer(0, gradualRollbackStages.length),
        stageStartedAt: timestamp().optional(),
        /** When the last stage's `up` succeeded; unset while it runs or after it was interrupted. */
        stageAppliedAt: timestamp().optional(),
        returnStartedAt: timestamp().optional(),
        returnAppliedAt: timestamp().optional(),
        abortedAt: timestamp().optional(),
    });
}
export type GradualRollbackRecord = z.infer<ReturnType<typeof gradualRollbackSchema>>;

/** H100 machine types and the accelerator each carries (a3-megagpu takes the "mega" type). */
const h100Accelerators = {
    "a3-highgpu-1g": "nvidia-h100-80gb",
    "a3-highgpu-2g": "nvidia-h100-80gb",
    "a3-highgpu-4g": "nvidia-h100-80gb",
    "a3-highgpu-8g": "nvidia-h100-80gb",
    "a3-megagpu-8g": "nvidia-h100-mega-80gb",
} as const;
export type H100MachineType = keyof typeof h100Accelerators;

/** Each H100 machine type's accelerator, and how many it carries (from its name: domain/gcp/machineTypes.ts). */
export const h100MachineTypes = Object.fromEntries(
    Object.entries(h100Accelerators).map(([type, accelerator]) => [type, { accelerator, count: gpusOfMachineType(type)! }]),
) as { readonly [T in H100MachineType]: { readonly accelerator: (typeof h100Accelerators)[T]; readonly count: number } };

const h100MachineTypeNames = Object.keys(h100MachineTypes) as [H100MachineType, ...H100MachineType[]];

export const c4aMachineTypePattern = /^c4a-(standard|highmem|highcpu)-(1|2|4|8|16|32|48|64|72)$/;

export const configSchema = z.strictObject({
    phase: integer(0, maxPhase),
    gcpProject: matching(gcpIdPattern, `a GCP project ID: ${gcpIdAccepted}`),
    region: matching(gcpRegionPattern, "a GCP region such as us-central1").default("us-central1"),
    gpuZones: field(
        z
            .array(matching(/^[a-z]+-[a-z]+\d-[a-z]$/, "a GCP zone such as us-central1-a"), {
                error: "a list of GCP zones in the region",
            })
            .min(1, { error: "a list of at least one GCP zone in the region" }),
        { accepted: "a list of at least one GCP zone in the region" },
    ).default(["us-central1-a"]),
    environment: labelValue().optional(),
    team: labelValue().default("ml-platform"),
    costCenter: labelValue().default("ml-infra"),
    gcpCredentials: field(z.string({ error: "a service-account key (JSON), set with --secret" }), {
        accepted: "a service-account key (JSON), set with --secret",
        secret: true,
    }).optional(),
    network: z
        .strictObject({
            subnetCidr: cidr().default("10.10.0.0/20"),
            podsCidr: cidr().default("10.20.0.0/14"),
            servicesCidr: cidr().default("10.24.0.0/20"),
            masterCidr: matching(/^(\d{1,3}\.){3}\d{1,3}\/28$/, "an IPv4 /28 block such as 172.16.0.0/28").default(
                "172.16.0.0/28",
            ),
        })
        .prefault({}),
    gke: z
        .strictObject({
            releaseChannel: oneOf(["RAPID", "REGULAR", "STABLE"]).default("REGULAR"),
            autoscalingProfile: oneOf(["OPTIMIZE_UTILIZATION", "BALANCED"]).default("OPTIMIZE_UTILIZATION"),
            deletionProtection: flag().default(true),
            masterAuthorizedCidrs: field(z.array(cidr(), { error: "a list of IPv4 CIDR blocks" }), {
                accepted: "a list of IPv4 CIDR blocks",
            }).default([]),
            // How the program's Kubernetes provider reaches the control plane (GkeCluster.kubeconfig).
            kubernetesEndpoint: oneOf(["dns", "ip"]).default("dns"),
        })
        .prefault({}),
    // The GCP performance baseline on the H100 pool (PerformanceBaseline), from phase 0.
    performanceBaseline: z
        .strictObject({
            image: matching(containerImagePattern, `a container image with Python 3, PyTorch and CUDA, such as ${defaultBaselineImage}`).default(
                defaultBaselineImage,
            ),
            schedule: matching(cronSchedulePattern, 'five cron fields, in UTC, such as "0 4 * * 0"').default("0 4 * * 0"),
            suspend: flag().default(false),
            bucketName: matching(/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/, "a GCS bucket name").optional(),
        })
        .prefault({}),
    h100: z
        .strictObject({
            machineType: oneOf(h100MachineTypeNames).default("a3-highgpu-8g"),
            minNodes: integer(0).default(0),
            maxNodes: integer(1).default(2),
            spotShare: fraction().default(costRules.gcp.spotInstanceTarget),
            compactPlacement: flag().default(false),
            reservation: matching(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, "a Compute Engine reservation name").optional(),
            diskType: oneOf(["pd-ssd", "pd-balanced", "hyperdisk-balanced"]).default("pd-ssd"),
            diskSizeGb: integer(100, 65536).default(200),
            gpuDriverVersion: oneOf(["DEFAULT", "LATEST"]).default("LATEST"),
        })
        .prefault({}),
    c4a: z
        .strictObject({
            machineType: matching(c4aMachineTypePattern, "a C4A machine type such as c4a-standard-8").default(
                "c4a-standard-8",
            ),
            minNodes: integer(0).default(0),
            maxNodes: integer(1).default(4),
            // C4A boots only from Hyperdisk; Persistent Disk types are not offered.
            diskType: oneOf(["hyperdisk-balanced", "hyperdisk-extreme", "hyperdisk-throughput"]).default(
                "hyperdisk-balanced",
            ),
            diskSizeGb: integer(10, 65536).default(100),
            spot: flag().default(false),
        })
        .prefault({}),
    costMonitoring: z
        .strictObject({
            billingAccount: matching(
                /^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$/,
                "a billing account ID such as 012345-6789AB-CDEF01",
            ),
            dailyCostAlertUsd: positive("a positive amount in USD").default(costRules.dailyCostAlertUsd),
            budgetAlertThresholds: field(
                z
                    .array(
                        z
                            .number({ error: "fractions of the budget above 0, at most 2" })
                            .gt(0, { error: "fractions of the budget above 0, at most 2" })
                            .max(2, { error: "fractions of the budget above 0, at most 2" }),
                    )
                    .min(1, { error: "a list of at least one fraction of the budget" }),
                { accepted: "a list of fractions of the budget above 0, at most 2" },
            ).default([0.5, 0.9, 1.0]),
            billingExportLocation: matching(/^[A-Za-z0-9-]+$/, "a BigQuery location such as US or us-central1").default(
                "US",
            ),
            notificationEmails: emails(1),
        }),
    /**
     * The A100 quota phase 0 requests in the workspace's region: on demand for the drivers,
     * preemptible for the workers, of every A100 cluster that can run at once
     * (domain/databricks/a100Demand.ts; the defaults are the plan's sizes).
     */
    a100Quota: z
        .strictObject({
            region: matching(gcpRegionPattern, "a GCP region such as us-central1").optional(),
            variant: oneOf(["a100-40gb", "a100-80gb"]).default("a100-40gb"),
            gpus: integer(0).default(planA100Demand.onDemandGpus),
            preemptibleGpus: integer(0).default(planA100Demand.preemptibleGpus),
        })
        .prefault({}),
    /** The quota requests' own settings: who Google contacts, and the all-regions GPU ceiling. */
    // The group's own error (not a leaf's `accepted`, so the docs list its keys) names what a missing group needs.
    quota: z.strictObject(
        {
            contactEmail: field(z.email({ error: quotaContactAccepted }), { accepted: quotaContactAccepted }),
            allRegionsGpus: integer(1).optional(),
        },
        { error: quotaGroupAccepted },
    ),
    /**
     * Databricks on GCP (phases 1 and 2). The identities and the metastore are optional here
     * and required from phase 1 on (checked with the other cross-key rules in config.ts), so a
     * phase-0 stack need not know its Databricks account yet.
     */
    databricks: z
        .strictObject({
            accountId: uuid("a Databricks account ID (a UUID, from the account console)").optional(),
            googleServiceAccount: matching(
                serviceAccountEmailPattern,
                "the e-mail of a Google service account that is a Databricks account admin, such as databricks-admin@acme-ml-dev.iam.gserviceaccount.com",
            ).optional(),
            metastoreId: uuid("the Unity Catalog metastore ID of the region (a UUID)").optional(),
            workspaceName: matching(
                /^[a-z][a-z0-9-]{2,28}[a-z0-9]$/,
                "4-30 lowercase letters, digits or hyphens, starting with a letter",
            ).optional(),
            subnetCidr: cidr().default("10.28.0.0/22"),
            catalog: matching(/^[a-z][a-z0-9_]{0,62}$/, "a catalog name: lowercase letters, digits or '_', starting with a letter").optional(),
            bucketName: matching(
                /^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/,
                "a GCS bucket name: 3-63 lowercase letters, digits, '-' or '_'",
            ).optional(),
            clusterUser: field(z.union([emailAddress, z.uuid()], { error: "a workspace user's e-mail or a service principal's application ID (UUID)" }), {
                accepted: "a workspace user's e-mail or a service principal's application ID (UUID)",
            }).optional(),
            jobsRunAs: uuid("the application ID (a UUID) of the service principal every job runs as").optional(),
            /**
             * Account groups given access to the workspace's compute (components/databricks/
             * access.ts): operators run and manage it, viewers see jobs and query results.
             */
            access: z
                .strictObject({
                    operators: groupNames().default([]),
                    viewers: groupNames().default([]),
                })
                .prefault({}),
            migrationSource: matching(
                /^gs:\/\/[a-z0-9][a-z0-9._-]{1,61}[a-z0-9](\/[A-Za-z0-9._\/=-]*)?$/,
                "a GCS URI such as gs://acme-ml-dev-training-data/raw",
            ).optional(),
            schedulesPaused: flag().default(false),
            a100: z
                .strictObject({
                    sparkVersion: matching(gpuMlRuntimePattern, `a GPU ML runtime such as ${defaultGpuMlRuntime}`).default(
                        defaultGpuMlRuntime,
                    ),
                    nodeType: oneOf(a100NodeTypeNames).default(defaultA100NodeType),
                    minWorkers: integer(0, maxDatabricksWorkers).default(a100ClusterWorkers.min),
                    maxWorkers: integer(1, maxDatabricksWorkers).default(a100ClusterWorkers.max),
                    autoterminationMinutes: integer(10, costRules.databricks.clusterIdleTimeoutMinutes).default(
                        costRules.databricks.clusterIdleTimeoutMinutes,
                    ),
                    gpuMemoryFraction: field(
                        z.number({ error: "a number above 0, at most 1" }).gt(0, { error: "a number above 0, at most 1" }).max(1, {
                            error: "a number above 0, at most 1",
                        }),
                        { accepted: "a number above 0, at most 1" },
                    ).default(costRules.gpuMemoryUtilization),
                })
                .prefault({}),
            dataPrep: z
                .strictObject({
                    sparkVersion: matching(cpuRuntimePattern, `a CPU runtime (not ML/GPU) such as ${defaultCpuRuntime}`).default(
                        defaultCpuRuntime,
                    ),
                    nodeType: matching(cpuNodeTypePattern, "a CPU node type such as n2-highmem-8").default("n2-highmem-8"),
                    minWorkers: integer(1, maxDatabricksWorkers).default(1),
                    maxWorkers: integer(1, maxDatabricksWorkers).default(4),
                })
                .prefault({}),
            warehouse: z
                .strictObject({
                    clusterSize: oneOf(warehouseSizes).default("2X-Small"),
                    autoStopMinutes: integer(1, costRules.databricks.clusterIdleTimeoutMinutes).default(10),
                    maxClusters: integer(1, 10).default(1),
                })
                .prefault({}),
        })
        .prefault({}),
    /**
     * Hybrid operation (phase 3, seed "Week 3: Load Distribution"): the Databricks share of
     * the workload and the capacity it divides. The capacity defaults to the configured maxima
     * of both platforms (domain/hybridConfig.ts), so share 0 gives GCP back its phase-2 sizes.
     * GPU capacity is in H100-equivalents: an A100 counts as the training work it does per H100.
     */
    workload: z
        .strictObject({
            databricksShare: fraction().default(hybridDatabricksShare),
            gpus: positive("a GPU capacity in H100-equivalents, above 0").optional(),
            dataVcpus: integer(1).optional(),
        })
        .prefault({}),
    /**
     * Unified monitoring (phase 3, seed "Monitoring Setup"): which of phase 0's notification
     * channels the alerts notify, and the alert thresholds. The thresholds default to the
     * seed's values and may only be made stricter.
     */
    monitoring: z
        .strictObject({
            channels: field(z.array(emailAddress, { error: "a list of e-mail addresses" }).min(1, { error: "a list of at least one e-mail address" }), {
                accepted: "a list of at least one address of migration:costMonitoring.notificationEmails",
            }).optional(),
            gpuUtilizationFloor: atLeast(costRules.gcp.minGpuUtilization, "the seed's GPU utilisation floor").default(costRules.gcp.minGpuUtilization),
            dbuUtilizationFloor: atLeast(costRules.databricks.minDbuUtilization, "the seed's DBU utilisation floor").default(
                costRules.databricks.minDbuUtilization,
            ),
            performanceDegradation: field(
                z
                    .number({ error: degradationAccepted })
                    .gt(0, { error: degradationAccepted })
                    .max(performanceDegradationAlert, { error: degradationAccepted }),
                { accepted: degradationAccepted },
            ).default(performanceDegradationAlert),
        })
        .prefault({}),
    cost: costConfigSchema,
    /**
     * Per-stack policy config, in the format of `pulumi up --policy-pack-config`: policy name →
     * enforcement level, or settings (`enforcementLevel` and the policy's own keys). The pack
     * validates the settings against each policy's schema when it is configured.
     */
    policyConfig: field(
        z.record(
            z.string(),
            z.union([z.enum(["advisory", "mandatory", "remediate", "disabled"]), z.record(z.string(), z.unknown())]),
            { error: "an object of policy name → enforcement level or settings, as in pulumi --policy-pack-config" },
        ),
        { accepted: "an object of policy name → enforcement level or settings, as in pulumi --policy-pack-config" },
    ).default({}),
    /**
     * The gradual rollback under way (or the last one), as `migration rollback --gradual`
     * records it in the stack itself, before and after each step, so that losing the tool's
     * local state never restarts or skips a stage. The program does not read it; it is
     * validated here like every key, and by the lifecycle commands before they write it.
     */
    gradualRollback: gradualRollbackSchema().optional(),
});

/**
 * Usage assumptions of the cost model (tools/cost) and the thresholds of the cost-ratio
 * policy (policies/cost). Prices live in tools/model/cost/prices.json; `priceOverrides` replaces
 * any of them for this stack. docs/cost-model.md explains each assumption.
 */
export { costConfigSchema, type CostConfig } from "./costConfig";

export type RawConfig = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;

/** The top-level keys of the `migration` namespace. */
export const configKeys = Object.keys(configSchema.shape) as (keyof typeof configSchema.shape)[];

/** Schema of a leaf, by its path below the namespace (`["h100", "maxNodes"]`). */
export function schemaAt(path: readonly PropertyKey[]): z.ZodType | undefined {
    let current: z.ZodType | undefined = configSchema;
    for (const key of path) {
        current = unwrap(current);
        const shape = (current as unknown as { shape?: Record<string, z.ZodType> })?.shape;
        if (shape && typeof key === "string") {
            current = shape[key];
            continue;
        }
        const valueType = (current as unknown as { def?: { type?: string; valueType?: z.ZodType } })?.def;
        if (valueType?.type === "record" && valueType.valueType && typeof key === "string") {
            current = valueType.valueType;
            continue;
        }
        const element = (current as unknown as { element?: z.ZodType })?.element;
        if (element && typeof key === "number") {
            current = element;
            continue;
        }
        return current;
    }
    return current;
}

/** The schema under any default/optional/prefault wrappers. */
export function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
    let current = schema;
    for (;;) {
        const inner = (current as unknown as { def?: { innerType?: z.ZodType } })?.def?.innerType;
        if (!inner) return current;
        current = inner;
    }
}
