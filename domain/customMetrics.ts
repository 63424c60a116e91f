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
        description: "Average utilisation of a run's GPUs over the run, 0 to 1. GKE's comes from DCGM instead.",
        unit: "1",
        labels: [platform, workload, { key: "cluster", description: "Databricks cluster ID" }],
        writer: "the training job and the benchmark suite on Databricks (NVML / nvidia-smi, sampled every second), at the end of each run",
    },
    {
        name: "training_throughput",
        displayName: "Training throughput",
        description: "Training samples processed per second over a run",
        unit: "{sample}/s",
        labels: [platform, workload, model],
        writer: "the training job (workload training), and the benchmark suite on both platforms (workload benchmark, its distributed benchmark)",
    },
    {
        name: "training_throughput_baseline",
        displayName: "Training throughput baseline",
        description: "The recorded GCP baseline of training_throughput (the transition plan's Phase 0 performance baseline)",
        unit: "{sample}/s",
        labels: [model],
        writer: "the benchmark suite on Databricks, from the latest GCP baseline rows in benchmark_results",
    },
    {
        name: "training_run_seconds",
        displayName: "Time per training run",
        description: "Seconds one training run takes: the training job's run, or the suite's time to reach its target loss",
        unit: "s",
        labels: [platform, workload, model],
        writer: "the training job (workload training), and the benchmark suite on both platforms (workload benchmark, its time_to_target benchmark)",
    },
    {
        name: "inference_latency",
        displayName: "Inference latency (p95)",
        description: "95th percentile latency of one request",
        unit: "ms",
        labels: [platform, workload, model],
        writer: "the benchmark suite on both platforms (its single_request benchmark)",
    },
    {
        name: "inference_latency_baseline",
        displayName: "Inference latency baseline (p95)",
        description: "The recorded GCP baseline of inference_latency",
        unit: "ms",
        labels: [model],
        writer: "the benchmark suite on Databricks, from the latest GCP baseline rows in benchmark_results",
    },
    {
        name: "inference_throughput",
        displayName: "Inference throughput",
        description: "Rows answered per second by batch inference over every GPU of the deployment",
        unit: "{row}/s",
        labels: [platform, workload, model],
        writer: "the benchmark suite on both platforms (its batch_request benchmark)",
    },
    {
        name: "cost_per_training_hour",
        displayName: "Cost per training hour",
        description: "Compute cost of one hour of the training workload (VMs and DBUs labelled workload=training, a day's cost ÷ 24), in USD",
        unit: "{USD}/h",
        labels: [platform],
        writer: "the cost_tracking job, once a day, from cost_metrics",
    },
    {
        name: "cost_per_training_hour_baseline",
        displayName: "Cost per training hour baseline",
        description: "The GCP baseline of cost_per_training_hour: the same measure over the days before the Databricks workspace existed, in USD",
        unit: "{USD}/h",
        labels: [],
        writer: "the cost_tracking job, once a day, from the billing export",
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
