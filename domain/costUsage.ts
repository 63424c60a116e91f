/**
 * The `migration:cost` group as the cost model reads it: its type and its defaults, with no
 * zod. The policy pack prices a stack with it, and the Pulumi CLI type-checks the pack at every
 * start: zod's types were the largest part of that check. The schema that validates the group
 * (domain/costConfig.ts) takes its defaults from here and is held to this type at compile time.
 */
import { maxPhase, successGates } from "./targets";

/** Hours per run of each task of a job, by task key (`{ data_prep: 0.25 }`). */
export type TaskHours = Record<string, number>;

export interface CostConfig {
    /** Hours in a month. */
    hoursPerMonth: number;
    training: {
        /** The Databricks job whose runs are the training the ratios compare. */
        jobName: string;
        runsPerMonth: number;
        taskHours: TaskHours;
        /** GKE pool workload label → the training task it runs. */
        gkeWorkloadTask: Record<string, string>;
        /** GPUs one training run uses on GKE; one node of the pool when unset. */
        gcpGpus?: number;
        /** The suite's measured per-GPU training throughput, Databricks over GCP; the sourced table when unset. */
        measuredThroughput?: { ratio: number; source: string };
    };
    gke: {
        defaultHoursAtMax: number;
        pools: Record<string, { hoursAtMax: number }>;
    };
    databricks: {
        /** How far autoscaling clusters run towards their maximum, 0 to 1. */
        autoscaleLoad: number;
        allPurposeHoursPerMonth: number;
        sqlWarehouseHoursPerMonth: number;
        clusters: Record<string, { hoursPerMonth: number }>;
        warehouses: Record<string, { hoursPerMonth: number }>;
    };
    jobs: Record<string, { runsPerMonth?: number; taskHours: TaskHours }>;
    defaultTaskHours: number;
    unscheduledRunsPerMonth: number;
    storage: {
        defaultBucketGb: number;
        defaultDatasetGb: number;
        gb: Record<string, number>;
    };
    /** Price path (`gcp.machines.a3-highgpu-8g.spotUsdPerHour`) → USD. */
    priceOverrides: Record<string, number>;
    targets: {
        totalCostRatio: number;
        perTrainingCostRatio: number;
        /** From this phase on the cost targets are mandatory; advice before it. */
        mandatoryFromPhase: number;
    };
}

/** Every default of the group: what an empty `migration:cost` means. */
export const defaultCostConfig: CostConfig = {
    // A month of 365 × 24 / 12 hours.
    hoursPerMonth: 730,
    training: {
        jobName: "model_training",
        // The plan's model_training schedule is hourly: 8,760 runs a year.
        runsPerMonth: 730,
        taskHours: { data_prep: 0.25, training: 0.5 },
        gkeWorkloadTask: { training: "training", "data-processing": "data_prep" },
    },
    gke: { defaultHoursAtMax: 365, pools: {} },
    databricks: { autoscaleLoad: 1, allPurposeHoursPerMonth: 176, sqlWarehouseHoursPerMonth: 176, clusters: {}, warehouses: {} },
    jobs: {},
    defaultTaskHours: 1,
    unscheduledRunsPerMonth: 1,
    storage: { defaultBucketGb: 500, defaultDatasetGb: 10, gb: {} },
    priceOverrides: {},
    targets: {
        totalCostRatio: successGates.totalCost.ratio,
        perTrainingCostRatio: successGates.costPerTraining.ratio,
        mandatoryFromPhase: maxPhase,
    },
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Fields of the group that are fractions, by path. */
const fractionPaths = new Set(["cost.databricks.autoscaleLoad", "cost.targets.totalCostRatio", "cost.targets.perTrainingCostRatio"]);
const phasePath = "cost.targets.mandatoryFromPhase";
/** Fields that must be above 0: a month of no hours, or a throughput of nothing, prices nothing. */
const positivePaths = new Set(["cost.hoursPerMonth", "cost.training.measuredThroughput.ratio"]);
const gpusPath = "cost.training.gcpGpus";

/**
 * What is wrong with the numbers of a group as written, each as `path: what is accepted`: every
 * number of the group is a count, an amount or a fraction (a few must be above 0, one is a
 * phase, one a GPU count). The schema
 * (domain/costConfig.ts) checks far more; this is the part the pack checks on its own, and a
 * test holds it to the schema field by field.
 */
export function costProblems(value: unknown, at = "cost"): string[] {
    if (at === "cost" && value !== undefined && !isPlainObject(value)) return ["cost: an object"];
    if (typeof value === "number") {
        if (at === phasePath) return Number.isInteger(value) && value >= 0 && value <= maxPhase ? [] : [`${at}: an integer from 0 to ${maxPhase}`];
        if (fractionPaths.has(at)) return value >= 0 && value <= 1 ? [] : [`${at}: a number from 0 to 1`];
        if (at === gpusPath) return Number.isInteger(value) && value >= 1 && value <= 1024 ? [] : [`${at}: an integer from 1 to 1024`];
        if (positivePaths.has(at)) return Number.isFinite(value) && value > 0 ? [] : [`${at}: a number > 0`];
        return Number.isFinite(value) && value >= 0 ? [] : [`${at}: a number ≥ 0`];
    }
    if (Array.isArray(value)) return value.flatMap((v, i) => costProblems(v, `${at}[${i}]`));
    if (isPlainObject(value)) return Object.entries(value).flatMap(([k, v]) => costProblems(v, `${at}.${k}`));
    return [];
}

/**
 * A group as written over the defaults, object by object (what the schema's defaults do for a
 * valid group). Values are taken as they are: the migration CLI validates the stack's group
 * against the schema before it passes it on.
 */
export function withCostDefaults(written: unknown, defaults: unknown = defaultCostConfig): CostConfig {
    if (!isPlainObject(written)) return defaults as CostConfig;
    const merged: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
    for (const [key, value] of Object.entries(written)) {
        const base = merged[key];
        // A map the group names in full (pools, jobs, taskHours…) replaces its default, as in the schema.
        if (isPlainObject(base) && isPlainObject(value) && !mapKeys.has(key)) merged[key] = withCostDefaults(value, base);
        else if (key in entryDefaults && isPlainObject(value)) {
            merged[key] = Object.fromEntries(Object.entries(value).map(([name, entry]) => [name, isPlainObject(entry) ? { ...entryDefaults[key], ...entry } : entry]));
        } else merged[key] = value;
    }
    return merged as unknown as CostConfig;
}

/** The group's maps by name (keyed by the user's names): replaced as a whole, never merged key by key. */
const mapKeys = new Set(["taskHours", "gkeWorkloadTask", "pools", "clusters", "warehouses", "jobs", "gb", "priceOverrides"]);

/** What each entry of a map gets when it leaves a field out. */
const entryDefaults: Record<string, Record<string, unknown>> = { jobs: { taskHours: {} } };
