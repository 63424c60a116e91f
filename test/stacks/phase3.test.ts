import { beforeAll, describe, expect, it } from "vitest";
import { customMetricPrefix, customMetrics, metricType } from "../../domain/customMetrics";
import { seedDailyCostQuery } from "../../domain/databricks/costQueries";
import { gpuMemoryEnvVars } from "../../domain/databricks/clusterSpec";
import { labelProperty, requiredLabelKeys } from "../../domain/labels";
import { costRules, performanceDegradationAlert } from "../../domain/targets";
import { preview } from "../../tools/engine/diff";
import { countByType, GraphResource, programResources, ResourceGraph } from "../../tools/model/graph";
import { byType, runStack, parseStack } from "../harness";
import { expectApisAwaited } from "./googleApis";
import { job, JobCluster, JobTask, phaseOverride, providerRef, expectJobsRunAs, jobsRunAs, graphA100Demand } from "./databricksGraph";
import { parseSelect } from "./sqlShape";

const notificationEmails: Record<string, string[]> = {
    dev: ["ml-platform-alerts@example.com"],
    prod: ["ml-platform-alerts@example.com", "ml-finops@example.com"],
};

/** The comparison a PromQL condition ends in: `… < 0.85`. */
function comparisonOf(query: string): { op: string; threshold: number } {
    const match = /\)\s*(<|>)\s*(\d+(?:\.\d+)?)\s*$/.exec(query);
    if (!match) throw new Error(`no trailing comparison in ${query}`);
    return { op: match[1], threshold: Number(match[2]) };
}

interface PolicyCondition {
    displayName: string;
    conditionPrometheusQueryLanguage: { query: string; disableMetricValidation: boolean };
}

const policy = (graph: ResourceGraph, key: string) => byType(graph, "gcp:monitoring/alertPolicy:AlertPolicy").find((p) => p.name === `hybrid-monitoring-${key}`)!;
const conditionsOf = (p: GraphResource) => (p.inputs.conditions as PolicyCondition[]).map((c) => ({ name: c.displayName, ...comparisonOf(c.conditionPrometheusQueryLanguage.query), query: c.conditionPrometheusQueryLanguage.query }));
const databricksAlert = (graph: ResourceGraph, key: string) => byType(graph, "databricks:index/alert:Alert").find((a) => a.name === `cost-sql-${key}`)!;
const queryById = (graph: ResourceGraph, id: unknown) => byType(graph, "databricks:index/query:Query").find((q) => q.id === id)!;

describe.each(["dev", "prod"])("phase 3 of %s", (stack) => {
    let graph: ResourceGraph;
    let phase2: ResourceGraph;
    beforeAll(async () => {
        graph = await runStack(stack, phaseOverride(3));
        phase2 = await runStack(stack, phaseOverride(2));
    });

    it("keeps every resource of phase 3 waiting for the Google APIs its type needs", () => {
        expectApisAwaited(graph);
    });

    it("resizes the A100 clusters within the quota: every one of them at once still fits", () => {
        const demand = graphA100Demand(graph);
        const config = parseStack(stack, phaseOverride(3));
        expect(demand.onDemandGpus).toBeLessThanOrEqual(config.a100Quota.gpus);
        expect(demand.preemptibleGpus).toBeLessThanOrEqual(config.a100Quota.preemptibleGpus);
    });

    it("runs the cost-tracking job as the service principal too, once its grants, table and assignment exist", () => {
        expect(expectJobsRunAs(graph, jobsRunAs[stack]).map((j) => j.inputs.name)).toContain("cost_tracking");
        const costJob = byType(graph, "databricks:index/job:Job").find((j) => j.inputs.name === "cost_tracking")!;
        const waitedFor = costJob.dependencies.map((d) => d.split("::").pop());
        expect(waitedFor).toEqual(expect.arrayContaining(["cost-tracking-billing-export-reader", "cost-metrics"]));
        for (const a of byType(graph, "databricks:index/permissionAssignment:PermissionAssignment")) expect(costJob.dependencies).toContain(a.urn);
    });

    it("adds monitoring and cost tracking to phase 2", () => {
        expect(countByType(programResources(graph))).toMatchObject({
            "gcp:monitoring/metricDescriptor:MetricDescriptor": customMetrics.length,
            "gcp:monitoring/dashboard:Dashboard": 1,
            "gcp:monitoring/alertPolicy:AlertPolicy": 3,
            // The node pools', the cost-tracking cluster's and the metrics writers'.
            // GKE nodes, the performance baseline, cost tracking, the metrics writer.
            "gcp:serviceaccount/account:Account": 4,
            "databricks:index/query:Query": 3,
            "databricks:index/alert:Alert": 2,
            "databricks:index/notificationDestination:NotificationDestination": 1,
            "databricks:index/job:Job": 5,
            "databricks:index/notebook:Notebook": 6,
        });
        expect(graph.outputs).toMatchObject({ phase: 3, dataPhase: 3, databricksShare: 0.6, costTrackingJobId: "cost-tracking-id" });
    });

    it("promotes from phase 2 by creating phase 3 and resizing earlier phases, deleting nothing", () => {
        const step = preview(phase2, graph);
        expect(step.delete).toEqual([]);
        expect(step.blocked).toEqual([]);
        expect(step.retain).toEqual([]);
        const created = programResources(graph).filter((r) => step.create.includes(r.urn));
        for (const r of created.filter((r) => r.custom && labelProperty(r.type))) {
            expect((r.inputs[labelProperty(r.type)!] as Record<string, string>).phase, r.urn).toBe("phase-3");
        }
        const updated = Object.fromEntries(Object.entries(step.changes).map(([urn, keys]) => [urn.split("::").pop(), keys]));
        // Only sizes move (the workload distribution's maxima, and a cluster policy's limits that follow
        // them), and the GPU jobs start writing metrics (their parameters and their clusters' identity).
        const expected: Record<string, Record<string, string[]>> = {
            dev: {
                a100: ["autoscale"],
                "a100-policy": ["definition"],
                "model-training": ["jobClusters", "parameters"],
                // A job cluster's policy is derived from the cluster: its size limits follow.
                "model-training-training-policy": ["definition"],
                "benchmark-suite": ["jobClusters", "parameters"],
                "benchmark-suite-a100-policy": ["definition"],
                // The GKE performance baseline writes its metrics too, now that they are declared.
                "performance-baseline": ["spec"],
            },
            prod: {
                "h100-on-demand": ["autoscaling"],
                "h100-spot": ["autoscaling"],
                "c4a-data": ["autoscaling"],
                a100: ["autoscale"],
                "a100-policy": ["definition"],
                "model-training": ["jobClusters", "parameters"],
                "model-training-data_prep-policy": ["definition"],
                "model-training-training-policy": ["definition"],
                "benchmark-suite": ["jobClusters", "parameters"],
                "benchmark-suite-a100-policy": ["definition"],
                "performance-baseline": ["spec"],
                "data-migration": ["jobClusters"],
                "data-migration-migrate-policy": ["definition"],
            },
        };
        expect(updated).toEqual(expected[stack]);
    });

    it("meets the spot targets: Databricks workers ≥ 0.7 spot, GCP GPU capacity ≥ 0.6 spot", () => {
        const clusters: { urn: string; spec: Record<string, unknown>; workers: number }[] = [];
        for (const c of byType(graph, "databricks:index/cluster:Cluster")) {
            clusters.push({ urn: c.urn, spec: c.inputs, workers: (c.inputs.autoscale as { maxWorkers: number }).maxWorkers });
        }
        for (const j of byType(graph, "databricks:index/job:Job")) {
            for (const { jobClusterKey, newCluster } of (j.inputs.jobClusters ?? []) as JobCluster[]) {
                const workers = (newCluster.autoscale as { maxWorkers: number } | undefined)?.maxWorkers ?? (newCluster.numWorkers as number);
                clusters.push({ urn: `${j.urn}#${jobClusterKey}`, spec: newCluster, workers });
            }
        }
        // The A100 cluster; benchmark's; model_training's data_prep and training; data_migration's; cost_tracking's.
        expect(clusters.length).toBe(6);
        for (const { urn, spec, workers } of clusters) {
            const gcpAttributes = spec.gcpAttributes as { availability: string; firstOnDemand: number };
            expect(gcpAttributes.availability, urn).toBe("PREEMPTIBLE_WITH_FALLBACK_GCP");
            // The first `firstOnDemand` nodes (the driver first) are on demand; the rest spot.
            const onDemandWorkers = Math.max(0, gcpAttributes.firstOnDemand - 1);
            expect((workers - onDemandWorkers) / workers, urn).toBeGreaterThanOrEqual(costRules.databricks.spotInstanceTarget);
        }

        let spotGpus = 0;
        let gpus = 0;
        for (const pool of byType(graph, "gcp:container/nodePool:NodePool")) {
            const nodeConfig = pool.inputs.nodeConfig as { spot: boolean; guestAccelerators?: { count: number }[] };
            const perNode = (nodeConfig.guestAccelerators ?? []).reduce((n, a) => n + a.count, 0);
            const capacity = (pool.inputs.autoscaling as { totalMaxNodeCount: number }).totalMaxNodeCount * perNode;
            gpus += capacity;
            if (nodeConfig.spot) spotGpus += capacity;
        }
        expect(gpus).toBeGreaterThan(0);
        expect(spotGpus / gpus).toBeGreaterThanOrEqual(costRules.gcp.spotInstanceTarget);
    });

    it("meets the idle limits: clusters and the warehouse stop within 30 minutes, GKE removes idle nodes within 15", () => {
        for (const c of byType(graph, "databricks:index/cluster:Cluster")) {
            expect(c.inputs.autoterminationMinutes).toBeLessThanOrEqual(costRules.databricks.clusterIdleTimeoutMinutes);
        }
        for (const w of byType(graph, "databricks:index/sqlEndpoint:SqlEndpoint")) {
            expect(w.inputs.autoStopMins).toBeLessThanOrEqual(costRules.databricks.clusterIdleTimeoutMinutes);
        }
        // OPTIMIZE_UTILIZATION: the autoscaler removes a node unneeded for 10 minutes (≤ the seed's 15).
        const [gke] = byType(graph, "gcp:container/cluster:Cluster");
        expect(gke.inputs.clusterAutoscaling).toMatchObject({ autoscalingProfile: "OPTIMIZE_UTILIZATION" });
        // Job clusters live for one run; jobs have timeouts instead.
        for (const j of byType(graph, "databricks:index/job:Job")) expect(j.inputs.timeoutSeconds as number).toBeGreaterThan(0);
    });

    it("gives training 0.85 of GPU memory on every A100 cluster", () => {
        const gpuClusters = [
            byType(graph, "databricks:index/cluster:Cluster")[0].inputs,
            ...byType(graph, "databricks:index/job:Job").flatMap((j) =>
                ((j.inputs.jobClusters ?? []) as JobCluster[]).map((c) => c.newCluster).filter((c) => String(c.nodeTypeId).startsWith("a2-")),
            ),
        ];
        expect(gpuClusters.length).toBe(3);
        for (const c of gpuClusters) {
            for (const name of gpuMemoryEnvVars) expect((c.sparkEnvVars as Record<string, string>)[name]).toBe(String(costRules.gpuMemoryUtilization));
        }
    });

    it("has every alert of the seed, with the seed's threshold", () => {
        const d = performanceDegradationAlert;
        const gpu = conditionsOf(policy(graph, "gpu-utilization"));
        // DCGM reports percent; the Databricks metric is a fraction.
        expect(gpu.map(({ op, threshold }) => ({ op, threshold }))).toEqual([
            { op: "<", threshold: costRules.gcp.minGpuUtilization * 100 },
            { op: "<", threshold: costRules.gcp.minGpuUtilization },
        ]);
        expect(gpu[0].query).toContain('DCGM_FI_DEV_GPU_UTIL{cluster="ml-gke"}');

        const degradation = conditionsOf(policy(graph, "performance-degradation"));
        expect(degradation.map(({ op, threshold }) => ({ op, threshold }))).toEqual([
            { op: "<", threshold: 1 - d },
            { op: ">", threshold: 1 + d },
            { op: ">", threshold: 1 + d },
        ]);
        const baselines = ["training_throughput", "inference_latency", "cost_per_training_hour"];
        degradation.forEach((c, i) => {
            expect(c.query).toContain(`custom_googleapis_com:ml_${baselines[i]}[`);
            expect(c.query).toContain(`custom_googleapis_com:ml_${baselines[i]}_baseline[`);
        });

        expect(conditionsOf(policy(graph, "daily-cost")).map(({ op, threshold }) => ({ op, threshold }))).toEqual([{ op: ">", threshold: costRules.dailyCostAlertUsd }]);

        expect(databricksAlert(graph, "daily-cost").inputs.condition).toEqual({
            op: "GREATER_THAN",
            operand: { column: { name: "total_cost" } },
            threshold: { value: { doubleValue: costRules.dailyCostAlertUsd } },
            emptyResultState: "OK",
        });
        expect(databricksAlert(graph, "dbu-utilization").inputs.condition).toMatchObject({
            op: "LESS_THAN",
            operand: { column: { name: "dbu_utilization" } },
            threshold: { value: { doubleValue: costRules.databricks.minDbuUtilization } },
        });
    });

    it("wires every alert to the configured channels", () => {
        const channels = byType(graph, "gcp:monitoring/notificationChannel:NotificationChannel");
        expect(channels.map((c) => (c.inputs.labels as { email_address: string }).email_address)).toEqual(notificationEmails[stack]);
        const policies = byType(graph, "gcp:monitoring/alertPolicy:AlertPolicy");
        expect(policies).toHaveLength(3);
        for (const p of policies) {
            expect(p.inputs.notificationChannels, p.urn).toEqual(channels.map((c) => c.id));
            expect(p.inputs.combiner).toBe("OR");
        }

        const [destination] = byType(graph, "databricks:index/notificationDestination:NotificationDestination");
        expect(destination.inputs.config).toEqual({ email: { addresses: notificationEmails[stack] } });
        const alertTasks = (job(graph, "cost_tracking").inputs.tasks as (JobTask & { sqlTask?: { alert: { alertId: string; subscriptions: { destinationId: string }[] } } })[]).filter(
            (t) => t.sqlTask,
        );
        const alerts = byType(graph, "databricks:index/alert:Alert");
        expect(alertTasks.map((t) => t.sqlTask!.alert.alertId).sort()).toEqual(alerts.map((a) => a.id).sort());
        for (const t of alertTasks) expect(t.sqlTask!.alert.subscriptions).toEqual([{ destinationId: destination.id }]);
    });

    it("saves the seed's daily cost query, equal in meaning, over the cost_metrics table the job fills", () => {
        const costMetrics = byType(graph, "databricks:index/sqlTable:SqlTable").find((t) => t.inputs.name === "cost_metrics")!;
        const table = { catalog: costMetrics.inputs.catalogName as string, schema: costMetrics.inputs.schemaName as string };
        const saved = byType(graph, "databricks:index/query:Query").find((q) => q.inputs.displayName === "Daily cost analysis")!;
        const seed = `-- Daily cost analysis
SELECT 
    date,
    SUM(compute_cost) as compute_cost,
    SUM(storage_cost) as storage_cost,
    SUM(network_cost) as network_cost
FROM cost_metrics
GROUP BY date
ORDER BY date DESC`;
        const savedShape = parseSelect(saved.inputs.queryText as string, { catalog: saved.inputs.catalog as string, schema: saved.inputs.schema as string });
        const seedShape = parseSelect(seed, table);
        expect(savedShape).toEqual(seedShape);
        expect(savedShape.from).toBe(`ml_${stack}.ops.cost_metrics`);
        expect(savedShape.orderBy).toEqual([{ expr: "date", direction: "DESC" }]);
        // The comparison can tell a different query apart.
        expect(parseSelect(seed.replace("DESC", ""), table)).not.toEqual(seedShape);
        expect(parseSelect(seed.replace("SUM(storage_cost) as storage_cost", "SUM(network_cost) as storage_cost"), table)).not.toEqual(seedShape);
        expect(parseSelect(seed, { ...table, schema: "ml" })).not.toEqual(seedShape);

        // The $1K/day alert totals the latest day of that same query.
        const alertQuery = queryById(graph, databricksAlert(graph, "daily-cost").inputs.queryId);
        const alertShape = parseSelect(alertQuery.inputs.queryText as string, { catalog: alertQuery.inputs.catalog as string, schema: alertQuery.inputs.schema as string });
        expect(alertShape.from).toEqual(seedShape);
        expect(alertShape).toMatchObject({ orderBy: [{ expr: "date", direction: "DESC" }], limit: 1 });
        expect(alertShape.columns.map((c) => c.alias)).toEqual(["date", "total_cost"]);
        expect(seedDailyCostQuery).toBe(seed);
    });

    it("fills cost_metrics daily from the billing export and system.billing, then evaluates the alerts on what it loaded", () => {
        const costJob = job(graph, "cost_tracking");
        expect(costJob.inputs.schedule).toEqual({ quartzCronExpression: "0 0 6 * * ?", timezoneId: "UTC", pauseStatus: stack === "dev" ? "PAUSED" : "UNPAUSED" });
        const tasks = costJob.inputs.tasks as (JobTask & { sqlTask?: { warehouseId: string } })[];
        expect(tasks.map((t) => [t.taskKey, (t.dependsOns ?? []).map((d) => d.taskKey)])).toEqual([
            ["load_costs", []],
            ["daily_cost_alert", ["load_costs"]],
            ["dbu_utilization_alert", []],
        ]);
        expect(tasks[0].notebookTask.notebookPath).toBe("/Shared/cost_tracking");
        const [warehouse] = byType(graph, "databricks:index/sqlEndpoint:SqlEndpoint");
        for (const t of tasks.slice(1)) expect(t.sqlTask!.warehouseId).toBe(warehouse.id);

        const parameters = Object.fromEntries((costJob.inputs.parameters as { name: string; default: string }[]).map((p) => [p.name, p.default]));
        expect(parameters).toMatchObject({
            catalog: `ml_${stack}`,
            cost_table: "ops.cost_metrics",
            billing_export_table: `acme-ml-${stack}.billing_export.gcp_billing_export_resource_v1_01A2B3_C4D5E6_F7A8B9`,
            gcp_project: `acme-ml-${stack}`,
            workspace_id: "1234567890123456",
            metric_prefix: customMetricPrefix,
            baseline_days: "14",
        });

        // The job cluster runs as the cost-tracking service account, which may read the export and write metrics.
        const [cluster] = costJob.inputs.jobClusters as JobCluster[];
        const email = `ml-cost-tracking@acme-ml-${stack}.iam.gserviceaccount.com`;
        expect(cluster.newCluster.gcpAttributes).toMatchObject({ googleServiceAccount: email, availability: "PREEMPTIBLE_WITH_FALLBACK_GCP", firstOnDemand: 1 });
        const account = byType(graph, "gcp:serviceaccount/account:Account").find((a) => a.inputs.accountId === "ml-cost-tracking")!;
        expect(account.outputs.email).toBe(email);
        const member = `serviceAccount:${email}`;
        const [reader] = byType(graph, "gcp:bigquery/datasetIamMember:DatasetIamMember");
        expect(reader.inputs).toMatchObject({ datasetId: "billing_export", role: "roles/bigquery.dataViewer", member });
        const roles = byType(graph, "gcp:projects/iAMMember:IAMMember").filter((m) => m.inputs.member === member).map((m) => m.inputs.role);
        expect(roles.sort()).toEqual(["roles/bigquery.readSessionUser", "roles/monitoring.metricWriter"]);
        const actAs = byType(graph, "gcp:serviceaccount/iAMMember:IAMMember").find((m) => m.name === "cost-tracking-workspace-user")!;
        expect(actAs.inputs).toMatchObject({ role: "roles/iam.serviceAccountUser", member: expect.stringMatching(/^serviceAccount:db-1234567890123456@/) });
        // The job (its component) is registered after the grants its cluster's first run needs, and after its table.
        const component = graph.resources.find((r) => r.type === "migration:databricks:NotebookJob" && r.name === "cost-tracking")!;
        const costMetrics = byType(graph, "databricks:index/sqlTable:SqlTable").find((t) => t.inputs.name === "cost_metrics")!;
        expect(component.dependencies).toEqual(expect.arrayContaining([reader.urn, actAs.urn, costMetrics.urn]));
    });

    it("keeps the custom metrics' descriptors as data: protected, retained, abandoned rather than deleted", () => {
        const descriptors = byType(graph, "gcp:monitoring/metricDescriptor:MetricDescriptor");
        expect(descriptors.map((d) => d.inputs.type).sort()).toEqual(customMetrics.map((m) => metricType(m.name)).sort());
        for (const d of descriptors) {
            expect(d, d.urn).toMatchObject({ protect: true, retainOnDelete: true });
            expect(d.inputs).toMatchObject({ metricKind: "GAUGE", valueType: "DOUBLE", deletionPolicy: "ABANDON" });
        }
        const daily = descriptors.find((d) => d.inputs.type === metricType("daily_cost"))!;
        expect(daily.inputs.labels).toEqual([expect.objectContaining({ key: "source", valueType: "STRING" })]);
        // The alert policies are validated against the descriptors, so they wait for them.
        for (const p of byType(graph, "gcp:monitoring/alertPolicy:AlertPolicy")) expect(p.dependencies).toEqual(expect.arrayContaining(descriptors.map((d) => d.urn)));
    });

    it("charts the seed's four metrics on one dashboard with its thresholds", () => {
        const [dashboard] = byType(graph, "gcp:monitoring/dashboard:Dashboard");
        const json = JSON.parse(dashboard.inputs.dashboardJson as string);
        expect(json.labels).toMatchObject({ env: stack, phase: "phase-3", workload: "monitoring" });
        const charts = json.mosaicLayout.tiles.filter((t: { widget: { xyChart?: unknown } }) => t.widget.xyChart);
        const queries = charts.map((t: { widget: { xyChart: { dataSets: { timeSeriesQuery: { prometheusQuery: string } }[] } } }) =>
            t.widget.xyChart.dataSets.map((d) => d.timeSeriesQuery.prometheusQuery).join(" "),
        );
        for (const metric of ["DCGM_FI_DEV_GPU_UTIL", "ml_gpu_utilization", "ml_training_throughput", "ml_inference_latency", "ml_cost_per_training_hour", "ml_daily_cost"]) {
            expect(queries.join(" ")).toContain(metric);
        }
        const thresholds = charts.flatMap((t: { widget: { xyChart: { thresholds: { value: number }[] } } }) => t.widget.xyChart.thresholds.map((x) => x.value));
        expect(thresholds).toEqual([costRules.gcp.minGpuUtilization, costRules.dailyCostAlertUsd]);
        // Tiles do not overlap.
        const cells = new Set<string>();
        for (const t of json.mosaicLayout.tiles) {
            for (let x = t.xPos; x < t.xPos + t.width; x++) for (let y = t.yPos; y < t.yPos + t.height; y++) {
                expect(cells.has(`${x},${y}`)).toBe(false);
                cells.add(`${x},${y}`);
            }
        }
    });

    it("labels what it adds with phase 3, and keeps Databricks objects on the workspace provider", () => {
        const added = programResources(graph).filter((r) => !programResources(phase2).some((p) => p.urn === r.urn));
        for (const r of added.filter((r) => r.custom && labelProperty(r.type))) {
            const labels = r.inputs[labelProperty(r.type)!] as Record<string, string>;
            expect(Object.keys(labels), r.urn).toEqual(expect.arrayContaining([...requiredLabelKeys]));
            expect(labels.phase, r.urn).toBe("phase-3");
        }
        const costJob = job(graph, "cost_tracking");
        expect(costJob.inputs.tags).toMatchObject({ phase: "phase-3", workload: "cost-monitoring", env: stack });
        for (const q of byType(graph, "databricks:index/query:Query")) expect(q.inputs.tags).toEqual(expect.arrayContaining(["phase:phase-3", `env:${stack}`]));
        const workspace = providerRef(graph, "databricks-workspace");
        for (const r of added.filter((r) => r.custom && r.type.startsWith("databricks:"))) expect(r.provider, r.urn).toBe(workspace);
    });

    it("rolls back to phase 2 without its monitoring and cost tracking, keeping the metric history", async () => {
        const back = await runStack(stack, phaseOverride(2), [], graph);
        const step = preview(graph, back);
        const deletedTypes = new Set(step.delete.map((urn) => graph.resources.find((r) => r.urn === urn)!.type));
        expect([...deletedTypes].sort()).toEqual(
            expect.arrayContaining([
                "gcp:monitoring/alertPolicy:AlertPolicy",
                "gcp:monitoring/dashboard:Dashboard",
                "databricks:index/alert:Alert",
                "databricks:index/query:Query",
                "databricks:index/job:Job",
            ]),
        );
        expect(deletedTypes.has("gcp:monitoring/metricDescriptor:MetricDescriptor")).toBe(false);
        expect(byType(back, "gcp:monitoring/metricDescriptor:MetricDescriptor")).toHaveLength(customMetrics.length);
        // The sizes return to the configured ones.
        expect(byType(back, "gcp:container/nodePool:NodePool").map((p) => p.inputs.autoscaling)).toEqual(
            byType(phase2, "gcp:container/nodePool:NodePool").map((p) => p.inputs.autoscaling),
        );
    });
});

describe("phases beyond this program", () => {
    it("refuses phase 4 before registering anything", async () => {
        const error = await runStack("dev", phaseOverride(4)).catch((e) => e);
        expect(error.message).toContain("migration:phase = 4: expected an integer from 0 to 3");
        expect(error.registered.filter((r: { type: string }) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
    });
});
