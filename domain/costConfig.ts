/**
 * The `migration:cost` group of the stack configuration: the usage the cost model prices and
 * the cost targets. Its own module so that the cost model and the policy pack read it without
 * the whole stack schema (domain/configSchema.ts composes it).
 */
import { z } from "zod";
import { maxPhase, successGates } from "./targets";
import { fraction, integer, matching, namedMap, nonNegative, positive } from "./schemaFields";
import { costRatioTargetsPolicy } from "./packContract";

function costSchema() {
    const hours = () => nonNegative("a number of hours ≥ 0");
    const runs = () => nonNegative("a number of runs a month ≥ 0");
    const gb = () => nonNegative("a size in GB ≥ 0");
    const taskHours = () => namedMap(hours(), "a map from task key to hours per run, such as { data_prep: 0.25 }");
    const hoursPerMonthOf = (what: string) =>
        namedMap(z.strictObject({ hoursPerMonth: hours() }), `a map from ${what} resource name to { hoursPerMonth }`);
    return z
        .strictObject({
            hoursPerMonth: positive("hours in a month, such as 730").default(730),
            training: z
                .strictObject({
                    jobName: matching(/^[A-Za-z0-9_.-]+$/, "a Databricks job name such as model_training").default(
                        "model_training",
                    ),
                    // The seed's model_training schedule is hourly: 8,760 runs a year.
                    runsPerMonth: runs().default(730),
                    taskHours: taskHours().default({ data_prep: 0.25, training: 0.5 }),
                    gkeWorkloadTask: namedMap(
                        matching(/^[A-Za-z0-9_-]+$/, "a task key"),
                        "a map from GKE pool workload label to the training task it runs, such as { training: training }",
                    ).default({ training: "training", "data-processing": "data_prep" }),
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
                    defaultHoursAtMax: hours().default(365),
                    pools: namedMap(
                        z.strictObject({ hoursAtMax: hours() }),
                        "a map from node pool resource name to { hoursAtMax }",
                    ).default({}),
                })
                .prefault({}),
            databricks: z
                .strictObject({
                    autoscaleLoad: fraction().default(1),
                    allPurposeHoursPerMonth: hours().default(176),
                    sqlWarehouseHoursPerMonth: hours().default(176),
                    clusters: hoursPerMonthOf("cluster").default({}),
                    warehouses: hoursPerMonthOf("SQL warehouse").default({}),
                })
                .prefault({}),
            jobs: namedMap(
                z.strictObject({ runsPerMonth: runs().optional(), taskHours: taskHours().default({}) }),
                "a map from Databricks job name to { runsPerMonth, taskHours }",
            ).default({}),
            defaultTaskHours: hours().default(1),
            unscheduledRunsPerMonth: runs().default(1),
            storage: z
                .strictObject({
                    defaultBucketGb: gb().default(500),
                    defaultDatasetGb: gb().default(10),
                    gb: namedMap(gb(), "a map from bucket or dataset resource name to GB").default({}),
                })
                .prefault({}),
            priceOverrides: namedMap(
                nonNegative("a price in USD ≥ 0"),
                "a map from price path (such as gcp.machines.a3-highgpu-8g.spotUsdPerHour) to USD",
            ).default({}),
            targets: z
                .strictObject({
                    totalCostRatio: fraction().default(successGates.totalCost.ratio),
                    perTrainingCostRatio: fraction().default(successGates.costPerTraining.ratio),
                    mandatoryFromPhase: integer(0, maxPhase).default(maxPhase),
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
export type CostConfig = z.output<typeof costConfigSchema>;
