/**
 * The seed's alerts (seed "Monitoring Setup" and "Cost optimization rules") as data: their
 * thresholds, and the Cloud Monitoring conditions (PromQL) that implement the ones on the GCP
 * side. Pure, no Pulumi import, so the alert policies, the dashboard's threshold lines, the
 * tests and the docs read the same numbers.
 *
 * | seed | threshold | where |
 * |---|---|---|
 * | min_gpu_utilization 0.85 | GPU utilisation below 0.85 | Cloud Monitoring: GKE (DCGM) and Databricks (custom metric) |
 * | performance_degradation 0.15 | a metric 15% worse than its recorded baseline | Cloud Monitoring |
 * | cost_threshold 1000 | total cost of a day above $1,000 | Cloud Monitoring and a Databricks SQL alert on cost_metrics |
 * | min_dbu_utilization 0.8 | DBU utilisation below 0.8 | Databricks SQL alert over the system tables |
 */
import { dcgmGpuUtilization, metricType, promqlName } from "./customMetrics";
import { costRules, performanceDegradationAlert } from "./targets";

export interface AlertThresholds {
    /** Fraction of GPU capacity busy, below which an alert opens (seed 0.85). */
    gpuUtilizationFloor: number;
    /** DBU utilisation below which an alert opens (seed 0.8). */
    dbuUtilizationFloor: number;
    /** Fraction by which a metric may be worse than its baseline before an alert opens (seed 0.15). */
    performanceDegradation: number;
    /** Total cost of one day above which an alert opens, in USD (seed 1000). */
    dailyCostUsd: number;
}

export const seedAlertThresholds: AlertThresholds = {
    gpuUtilizationFloor: costRules.gcp.minGpuUtilization,
    dbuUtilizationFloor: costRules.databricks.minDbuUtilization,
    performanceDegradation: performanceDegradationAlert,
    dailyCostUsd: costRules.dailyCostAlertUsd,
};

/** How long utilisation and performance are averaged before they are compared. */
export const alertWindows = { utilization: "1h", performance: "1h", costPerTrainingHour: "1d", baseline: "30d", dailyCost: "25h" } as const;

export type Comparison = "<" | ">";

export interface PromqlCondition {
    key: string;
    displayName: string;
    /** The PromQL expression, ending in `<comparison> <threshold>`. */
    query: string;
    comparison: Comparison;
    threshold: number;
    /** DCGM metrics exist only once a GPU node has run; the custom ones are declared by the program. */
    disableMetricValidation: boolean;
}

export type MonitoringPolicyKey = "gpu-utilization" | "performance-degradation" | "daily-cost";

export interface MonitoringPolicy {
    key: MonitoringPolicyKey;
    displayName: string;
    severity: "WARNING" | "ERROR" | "CRITICAL";
    /** Markdown shown with the incident: what it means and what to do. */
    documentation: string;
    conditions: PromqlCondition[];
}

/** Removes binary noise from derived thresholds (1 - 0.15 and 0.85 × 100 print as written). */
const tidy = (x: number) => Number(x.toFixed(9));

const promql = (name: Parameters<typeof metricType>[0]) => promqlName(metricType(name));

/** Degradation conditions: each performance metric against its recorded baseline. */
function degradationConditions(degradation: number): PromqlCondition[] {
    const { performance, costPerTrainingHour, baseline } = alertWindows;
    const worse = tidy(1 + degradation);
    const lower = tidy(1 - degradation);
    return [
        {
            key: "training-throughput",
            displayName: `Training throughput more than ${degradation * 100}% below its baseline`,
            query:
                `avg by (platform, model) (avg_over_time(${promql("training_throughput")}[${performance}])) ` +
                `/ on (model) group_left max by (model) (last_over_time(${promql("training_throughput_baseline")}[${baseline}])) < ${lower}`,
            comparison: "<",
            threshold: lower,
            disableMetricValidation: false,
        },
        {
            key: "inference-latency",
            displayName: `Inference latency more than ${degradation * 100}% above its baseline`,
            query:
                `avg by (platform, model) (avg_over_time(${promql("inference_latency")}[${performance}])) ` +
                `/ on (model) group_left max by (model) (last_over_time(${promql("inference_latency_baseline")}[${baseline}])) > ${worse}`,
            comparison: ">",
            threshold: worse,
            disableMetricValidation: false,
        },
        {
            key: "cost-per-training-hour",
            displayName: `Cost per training hour more than ${degradation * 100}% above its baseline`,
            query:
                `avg by (platform) (avg_over_time(${promql("cost_per_training_hour")}[${costPerTrainingHour}])) ` +
                `/ on () group_left max (last_over_time(${promql("cost_per_training_hour_baseline")}[${baseline}])) > ${worse}`,
            comparison: ">",
            threshold: worse,
            disableMetricValidation: false,
        },
    ];
}

/** The Cloud Monitoring alert policies, for the GKE cluster whose DCGM metrics they read. */
export function monitoringPolicies(thresholds: AlertThresholds, gkeCluster: string): MonitoringPolicy[] {
    const { utilization, dailyCost } = alertWindows;
    const floorPercent = tidy(thresholds.gpuUtilizationFloor * 100);
    return [
        {
            key: "gpu-utilization",
            displayName: `GPU utilisation below ${floorPercent}%`,
            severity: "WARNING",
            documentation:
                `The ${utilization} average utilisation of the GPUs is below the seed's floor (cost_rules min_gpu_utilization ` +
                `${thresholds.gpuUtilizationFloor}). Idle GPUs are paid for: check for stuck jobs, oversized autoscaling maxima, ` +
                "or move work between the platforms (migration:workload.databricksShare).",
            conditions: [
                {
                    key: "gke-dcgm",
                    displayName: `GKE GPUs (DCGM) below ${floorPercent}%`,
                    // DCGM reports utilisation in percent.
                    query: `avg(avg_over_time(${dcgmGpuUtilization.promql}{cluster="${gkeCluster}"}[${utilization}])) < ${floorPercent}`,
                    comparison: "<",
                    threshold: floorPercent,
                    disableMetricValidation: true,
                },
                {
                    key: "databricks",
                    displayName: `Databricks GPUs below ${floorPercent}%`,
                    query: `avg(avg_over_time(${promql("gpu_utilization")}{platform="databricks"}[${utilization}])) < ${thresholds.gpuUtilizationFloor}`,
                    comparison: "<",
                    threshold: thresholds.gpuUtilizationFloor,
                    disableMetricValidation: false,
                },
            ],
        },
        {
            key: "performance-degradation",
            displayName: `Performance degraded more than ${thresholds.performanceDegradation * 100}% against the baseline`,
            severity: "ERROR",
            documentation:
                `A performance metric is more than ${thresholds.performanceDegradation * 100}% worse than its recorded GCP baseline ` +
                "(seed performance_degradation). Compare the platforms on the dashboard; if Databricks is the slower one, lower " +
                "migration:workload.databricksShare (the gradual rollback) while it is investigated.",
            conditions: degradationConditions(thresholds.performanceDegradation),
        },
        {
            key: "daily-cost",
            displayName: `Daily cost above $${thresholds.dailyCostUsd}`,
            severity: "ERROR",
            documentation:
                `The last complete day cost more than $${thresholds.dailyCostUsd} across GCP and Databricks (seed cost_threshold). ` +
                "The cost_metrics table and the daily cost query in Databricks SQL break it down by source and workload.",
            conditions: [
                {
                    key: "total",
                    displayName: `Daily cost above $${thresholds.dailyCostUsd}`,
                    query: `sum(last_over_time(${promql("daily_cost")}[${dailyCost}])) > ${thresholds.dailyCostUsd}`,
                    comparison: ">",
                    threshold: thresholds.dailyCostUsd,
                    disableMetricValidation: false,
                },
            ],
        },
    ];
}
