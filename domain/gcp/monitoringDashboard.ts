/**
 * The unified monitoring dashboard (seed "Real-time Monitoring": gpu_utilization,
 * training_throughput, inference_latency, cost_per_training_hour, with the time per training
 * run and inference throughput the suite measures) as Cloud Monitoring dashboard
 * JSON, both platforms side by side and each seed threshold drawn on its chart. Pure: the
 * component serialises it, the tests read it.
 */
import { AlertThresholds, alertWindows } from "../alertRules";
import { CustomMetricName, dcgmGpuUtilization, metricType, promqlName } from "../customMetrics";

export interface DashboardSettings {
    displayName: string;
    gkeCluster: string;
    thresholds: AlertThresholds;
    labels: Record<string, string>;
    /** Where DBU utilisation and the daily cost breakdown are, on the Databricks side. */
    databricksSql: { dailyCostQuery: string; dbuUtilizationAlert: string };
}

interface DataSet {
    timeSeriesQuery: { prometheusQuery: string };
    plotType: "LINE" | "STACKED_BAR";
    legendTemplate: string;
    targetAxis: "Y1";
}

interface Threshold {
    label: string;
    value: number;
    color: "YELLOW" | "RED";
    direction: "ABOVE" | "BELOW";
    targetAxis: "Y1";
}

export interface DashboardTile {
    xPos: number;
    yPos: number;
    width: number;
    height: number;
    widget: {
        title: string;
        xyChart?: { dataSets: DataSet[]; thresholds: Threshold[]; yAxis: { label: string; scale: "LINEAR" } };
        text?: { content: string; format: "MARKDOWN" };
    };
}

export interface DashboardJson {
    displayName: string;
    labels: Record<string, string>;
    mosaicLayout: { columns: number; tiles: DashboardTile[] };
}

const columns = 48;
const tile = { width: 24, height: 16 };

const promql = (name: CustomMetricName) => promqlName(metricType(name));

const line = (query: string, legend: string): DataSet => ({
    timeSeriesQuery: { prometheusQuery: query },
    plotType: "LINE",
    legendTemplate: legend,
    targetAxis: "Y1",
});

/** A metric by platform, with its recorded baseline as a second line. */
function againstBaseline(name: "training_throughput" | "inference_latency" | "cost_per_training_hour", baselineBy: string): DataSet[] {
    const by = baselineBy ? ` by (${baselineBy})` : "";
    return [
        line(`avg by (platform) (${promql(name)})`, "${platform}"),
        line(`max${by} (last_over_time(${promql(`${name}_baseline`)}[${alertWindows.baseline}]))`, baselineBy ? `baseline \${${baselineBy}}` : "baseline"),
    ];
}

export function hybridDashboard(settings: DashboardSettings): DashboardJson {
    const t = settings.thresholds;
    const worse = `${t.performanceDegradation * 100}% degradation`;
    const charts: { title: string; yAxis: string; dataSets: DataSet[]; thresholds: Threshold[] }[] = [
        {
            title: "GPU utilisation (GKE via DCGM, Databricks via gpu_utilization)",
            yAxis: "utilisation (0-1)",
            dataSets: [
                // DCGM reports percent; shown as a fraction beside the Databricks metric.
                line(`avg(${dcgmGpuUtilization.promql}{cluster="${settings.gkeCluster}"}) / 100`, "gke"),
                line(`avg by (platform) (${promql("gpu_utilization")})`, "${platform}"),
            ],
            thresholds: [{ label: "seed min_gpu_utilization", value: t.gpuUtilizationFloor, color: "YELLOW", direction: "BELOW", targetAxis: "Y1" }],
        },
        {
            title: "Training throughput",
            yAxis: "samples/s",
            dataSets: againstBaseline("training_throughput", "model"),
            thresholds: [],
        },
        {
            title: "Time per training run",
            yAxis: "seconds",
            dataSets: [line(`avg by (platform, workload) (${promql("training_run_seconds")})`, "${platform} ${workload}")],
            thresholds: [],
        },
        {
            title: "Inference latency (p95)",
            yAxis: "ms",
            dataSets: againstBaseline("inference_latency", "model"),
            thresholds: [],
        },
        {
            title: "Inference throughput (batch)",
            yAxis: "rows/s",
            dataSets: [line(`avg by (platform, model) (${promql("inference_throughput")})`, "${platform} ${model}")],
            thresholds: [],
        },
        {
            title: `Cost per training hour (alert at ${worse} against the baseline)`,
            yAxis: "USD per hour",
            dataSets: againstBaseline("cost_per_training_hour", ""),
            thresholds: [],
        },
        {
            title: "Daily cost by source",
            yAxis: "USD per day",
            dataSets: [
                {
                    ...line(`sum by (source) (last_over_time(${promql("daily_cost")}[${alertWindows.dailyCost}]))`, "${source}"),
                    plotType: "STACKED_BAR",
                },
            ],
            thresholds: [{ label: "seed cost_threshold", value: t.dailyCostUsd, color: "RED", direction: "ABOVE", targetAxis: "Y1" }],
        },
    ];
    const tiles: DashboardTile[] = charts.map((chart, i) => ({
        xPos: (i % 2) * tile.width,
        yPos: Math.floor(i / 2) * tile.height,
        ...tile,
        widget: {
            title: chart.title,
            xyChart: { dataSets: chart.dataSets, thresholds: chart.thresholds, yAxis: { label: chart.yAxis, scale: "LINEAR" } },
        },
    }));
    tiles.push({
        xPos: (charts.length % 2) * tile.width,
        yPos: Math.floor(charts.length / 2) * tile.height,
        ...tile,
        widget: {
            title: "Databricks: DBU utilisation and cost breakdown",
            text: {
                format: "MARKDOWN",
                content:
                    `DBU utilisation comes from the Databricks system tables only; the SQL alert **${settings.databricksSql.dbuUtilizationAlert}** ` +
                    `opens below ${t.dbuUtilizationFloor} (seed min_dbu_utilization). The per-day breakdown by compute, storage and network ` +
                    `is the saved query **${settings.databricksSql.dailyCostQuery}** over cost_metrics.`,
            },
        },
    });
    return { displayName: settings.displayName, labels: settings.labels, mosaicLayout: { columns, tiles } };
}
