/**
 * The schema of the `migration:cost` group of the stack configuration: the usage the cost model
 * prices and the cost targets (domain/configSchema.ts composes it into the stack's schema). Its
 * type and defaults live in domain/costUsage.ts, free of zod, for the policy pack; the schema
 * takes the defaults from there and is held to the type below.
 */
import { z } from "zod";
import { maxPhase } from "./targets";
import { CostConfig, defaultCostConfig as d } from "./costUsage";
import { fraction, integer, matching, namedMap, nonNegative, positive } from "./schemaFields";
import { costRatioTargetsPolicy } from "./packContract";

export type { CostConfig } from "./costUsage";

function costSchema() {
    const hours = () => nonNegative("a number of hours ≥ 0");
    const runs = () => nonNegative("a number of runs a month ≥ 0");
    const gb = () => nonNegative("a size in GB ≥ 0");
    const taskHours = () => namedMap(hours(), "a map from task key to hours per run, such as { data_prep: 0.25 }");
    const hoursPerMonthOf = (what: string) =>
        namedMap(z.strictObject({ hoursPerMonth: hours() }), `a map from ${what} resource name to { hoursPerMonth }`);
    return z
        .strictObject({
            hoursPerMonth: positive("hours in a month, such as 730").default(d.hoursPerMonth),
            training: z
                .strictObject({
                    jobName: matching(/^[A-Za-z0-9_.-]+$/, "a Databricks job name such as model_training").default(d.training.jobName),
                    runsPerMonth: runs().default(d.training.runsPerMonth),
                    taskHours: taskHours().default(d.training.taskHours),
                    gkeWorkloadTask: namedMap(
                        matching(/^[A-Za-z0-9_-]+$/, "a task key"),
                        "a map from GKE pool workload label to the training task it runs, such as { training: training }",
                    ).default(d.training.gkeWorkloadTask),
                    // GPUs one training run uses on GKE (the work taskHours.training measures); one node of the pool when unset.
                    gcpGpus: integer(1, 1024).optional(),
                    // The suite's measured per-GPU training throughput, Databricks GPU over GCP GPU; the sourced table when unset.
                    measuredThroughput: z
                        .strictObject({
                            ratio: positive("the Databricks/GCP training throughput per GPU the benchmark suite printed, such as 0.52"),
                            source: matching(/^.{3,200}$/, "which runs it comes from, such as \"benchmark_results run <id> vs <id>\""),
                        })
                        .optional(),
                })
                .prefault({}),
            gke: z
                .strictObject({
                    defaultHoursAtMax: hours().default(d.gke.defaultHoursAtMax),
                    pools: namedMap(
                        z.strictObject({ hoursAtMax: hours() }),
                        "a map from node pool resource name to { hoursAtMax }",
                    ).default(d.gke.pools),
                })
                .prefault({}),
            databricks: z
                .strictObject({
                    autoscaleLoad: fraction().default(d.databricks.autoscaleLoad),
                    allPurposeHoursPerMonth: hours().default(d.databricks.allPurposeHoursPerMonth),
                    sqlWarehouseHoursPerMonth: hours().default(d.databricks.sqlWarehouseHoursPerMonth),
                    clusters: hoursPerMonthOf("cluster").default(d.databricks.clusters),
                    warehouses: hoursPerMonthOf("SQL warehouse").default(d.databricks.warehouses),
                })
                .prefault({}),
            jobs: namedMap(
                z.strictObject({ runsPerMonth: runs().optional(), taskHours: taskHours().default({}) }),
                "a map from Databricks job name to { runsPerMonth, taskHours }",
            ).default(d.jobs),
            defaultTaskHours: hours().default(d.defaultTaskHours),
            unscheduledRunsPerMonth: runs().default(d.unscheduledRunsPerMonth),
            storage: z
                .strictObject({
                    defaultBucketGb: gb().default(d.storage.defaultBucketGb),
                    defaultDatasetGb: gb().default(d.storage.defaultDatasetGb),
                    gb: namedMap(gb(), "a map from bucket or dataset resource name to GB").default(d.storage.gb),
                })
                .prefault({}),
            priceOverrides: namedMap(
                nonNegative("a price in USD ≥ 0"),
                "a map from price path (such as gcp.machines.a3-highgpu-8g.spotUsdPerHour) to USD",
            ).default(d.priceOverrides),
            targets: z
                .strictObject({
                    totalCostRatio: fraction().default(d.targets.totalCostRatio),
                    perTrainingCostRatio: fraction().default(d.targets.perTrainingCostRatio),
                    mandatoryFromPhase: integer(0, maxPhase).default(d.targets.mandatoryFromPhase),
                })
                .prefault({}),
        })
        .prefault({});
}

/** Whether a stack's policy config leaves the cost targets enforced (the pack's default) or makes them advice. */
export function costTargetsEnforced(policyConfig: Readonly<Record<string, unknown>>): boolean {
    const setting = policyConfig[costRatioTargetsPolicy];
    const level = typeof setting === "string" ? setting : (setting as { enforcementLevel?: unknown } | undefined)?.enforcementLevel;
    return level !== "advisory" && level !== "disabled";
}

/** The `migration:cost` group, validated and with its defaults. */
export const costConfigSchema = costSchema();

/** Fails to compile when the schema's output and `CostConfig` differ, either way. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaIsCostConfig: Same<z.output<typeof costConfigSchema>, CostConfig> = true;
void schemaIsCostConfig;
