/**
 * The custom metrics of the unified monitoring (seed "Monitoring Setup": gpu_utilization,
 * training_throughput, inference_latency, cost_per_training_hour), as the contract between the
 * workloads that write them and the dashboard and alerts that read them. Pure, no Pulumi
 * import: the metric descriptors, the PromQL, the cost-tracking notebook's parameters and
 * docs/monitoring.md all come from this list.
 *
 * GKE's GPU utilisation needs no custom metric: the cluster's managed DCGM exporter writes it
 * (`prometheus.googleapis.com/DCGM_FI_DEV_GPU_UTIL/gauge`, in percent). Databricks clusters
 * have no DCGM export to Cloud Monitoring, so Databricks workloads write `gpu_utilization`.
 */

export const customMetricPrefix = "custom.googleapis.com/ml";

/** The DCGM GPU utilisation GKE's managed Prometheus collects, in percent (0-100), and its PromQL name. */
export const dcgmGpuUtilization = {
    type: "prometheus.googleapis.com/DCGM_FI_DEV_GPU_UTIL/gauge",
    promql: "DCGM_FI_DEV_GPU_UTIL",
    percent: true,
} as const;

export interface MetricLabel {
    key: string;
    description: string;
}

export interface CustomMetric {
    /** Short name, the last part of the type. */
    name: string;
    displayName: string;
    description: string;
    /** UCUM unit as Cloud Monitoring takes it. */
    unit: string;
    labels: readonly MetricLabel[];
    /** Who writes it, for the docs. */
    writer: string;
}

const platform: MetricLabel = { key: "platform", description: "Where the work ran: gcp or databricks" };
const workload: MetricLabel = { key: "workload", description: "The workload label of the job (training, inference, data-processing, ...)" };
const model: MetricLabel = { key: "model", description: "Registered model name, as in the models table" };

export const customMetrics = [
    {
        name: "gpu_utilization",
        displayName: "GPU utilisation (Databricks)",
        description: "Average utilisation of a job's GPUs over the reporting interval, 0 to 1. GKE's comes from DCGM instead.",
        unit: "1",
        labels: [platform, workload, { key: "cluster", description: "Databricks cluster ID" }],
        writer: "Databricks GPU jobs (nvidia-smi / NVML), every minute while they run",
    },
    {
        name: "training_throughput",
        displayName: "Training throughput",
        description: "Training samples processed per second, averaged over the reporting interval",
        unit: "{sample}/s",
        labels: [platform, workload, model],
        writer: "training jobs on both platforms, every minute while they train",
    },
    {
        name: "training_throughput_baseline",
        displayName: "Training throughput baseline",
        description: "The recorded GCP baseline of training_throughput (seed Phase 0 \"Performance Baseline Testing\")",
        unit: "{sample}/s",
        labels: [model],
        writer: "the benchmark suite, from its GCP baseline rows, when a baseline is recorded",
    },
    {
        name: "inference_latency",
        displayName: "Inference latency (p95)",
        description: "95th percentile request latency over the reporting interval",
        unit: "ms",
        labels: [platform, workload, model],
        writer: "inference services and batch inference jobs on both platforms, every minute",
    },
    {
        name: "inference_latency_baseline",
        displayName: "Inference latency baseline (p95)",
        description: "The recorded GCP baseline of inference_latency",
        unit: "ms",
        labels: [model],
        writer: "the benchmark suite, from its GCP baseline rows, when a baseline is recorded",
    },
    {
        name: "cost_per_training_hour",
        displayName: "Cost per training hour",
        description: "Compute cost of one hour of training (VMs and DBUs), in USD",
        unit: "{USD}/h",
        labels: [platform],
        writer: "training jobs at the end of a run (run cost ÷ run hours)",
    },
    {
        name: "cost_per_training_hour_baseline",
        displayName: "Cost per training hour baseline",
        description: "The recorded GCP baseline of cost_per_training_hour, in USD",
        unit: "{USD}/h",
        labels: [],
        writer: "the benchmark suite or the platform team, when a baseline is recorded",
    },
    {
        name: "daily_cost",
        displayName: "Daily cost",
        description: "Total cost of the last complete UTC day (compute, storage, network), in USD",
        unit: "{USD}",
        labels: [{ key: "source", description: "gcp (Cloud Billing export) or databricks (system.billing DBUs)" }],
        writer: "the cost_tracking job, once a day after it loads cost_metrics",
    },
] as const satisfies readonly CustomMetric[];

export type CustomMetricName = (typeof customMetrics)[number]["name"];

export function metricType(name: CustomMetricName): string {
    return `${customMetricPrefix}/${name}`;
}

export function customMetric(name: CustomMetricName): CustomMetric {
    return customMetrics.find((m) => m.name === name)!;
}

/**
 * A Cloud Monitoring metric type's name in PromQL: the domain's dots become underscores and
 * end at a colon, the rest of the path becomes underscores
 * (`custom.googleapis.com/ml/daily_cost` → `custom_googleapis_com:ml_daily_cost`).
 */
export function promqlName(type: string): string {
    const slash = type.indexOf("/");
    if (slash < 0) throw new RangeError(`metric type ${JSON.stringify(type)}: expected domain/path`);
    return `${type.slice(0, slash).replace(/\./g, "_")}:${type.slice(slash + 1).replace(/[/.]/g, "_")}`;
}
