/**
 * Phase 3, hybrid operation (seed "Phase 3: Hybrid Operation (Week 3-4)"):
 * - workload distribution (Week 3): the Databricks share sizes both platforms. It is applied
 *   through `ctx.capacity`, so it resizes resources of phases 0-2 (GKE pools, the A100 cluster,
 *   the jobs' clusters) and pauses the moved workloads' schedules at share 0;
 * - cost optimisation (Week 4): the seed's cost rules, already in the clusters and pools
 *   (spot with on-demand drivers, idle limits, GPU memory fraction), are held from this phase on
 *   by config (the GCP spot target) and checked on the graph by the tests;
 * - unified monitoring: the custom metrics, the dashboard and the alert policies;
 * - cost tracking: the daily cost_tracking job into `cost_metrics`, the seed's daily cost
 *   query, and the SQL alerts ($1K/day, DBU utilisation) it evaluates after each load.
 */
import { NotebookJob } from "../../components/databricks/notebookJob";
import { photonClusterSpec } from "../../domain/databricks/clusterSpec";
import { dailyCostAlertQuery, dailyCostColumn, dbuUtilizationColumn, dbuUtilizationQuery, seedDailyCostQuery } from "../../domain/databricks/costQueries";
import { NotebookSet, notebooksDir } from "../../components/databricks/notebookSet";
import { SqlAlerts } from "../../components/databricks/sqlAlerts";
import { costMetricsTable } from "../../domain/databricks/tableDefinitions";
import { billingExportTable } from "../../components/gcp/costMonitoring";
import { CostTrackingIdentity } from "../../components/gcp/costTrackingIdentity";
import { CustomMetricDescriptors } from "../../components/gcp/customMetricDescriptors";
import { HybridMonitoring } from "../../components/gcp/hybridMonitoring";
import { customMetricPrefix } from "../../domain/customMetrics";
import { MetricsWriterIdentity } from "../../components/gcp/metricsWriterIdentity";
import { alertChannelEmails, alertThresholds } from "../../domain/hybridConfig";
import { PhaseContext } from "./context";
import { Phase0 } from "./phase0";
import { jobIdentity, libraryImportPath, metricsWriterAccountId, Phase1Data, workspaceLayout } from "./phase1";
import { Phase2Data } from "./phase2";

/** Daily at 06:00 UTC: after the billing export has caught up with the previous day. */
export const costTrackingSchedule = { quartzCronExpression: "0 0 6 * * ?", timezoneId: "UTC" } as const;
/** Days each run reloads: billing data for a day keeps arriving for a day or two. */
export const costTrackingLookbackDays = 3;
/** Days before the workspace's creation that the GCP baseline of cost per training hour averages. */
export const costBaselineDays = 14;

/** Where phase 3 puts its notebook, library modules and Databricks SQL objects in the workspace. */
export const phase3Layout = {
    notebook: "/Shared/cost_tracking",
    libraryModules: ["costs.py"],
    sqlFolder: "/Shared/monitoring",
} as const;

/** Names of the Databricks SQL objects, as the dashboard and the docs refer to them. */
export const databricksSqlNames = {
    dailyCostQuery: "Daily cost analysis",
    dailyCostAlert: "Daily cost above the limit",
    dbuUtilizationAlert: "DBU utilisation below the floor",
} as const;

/**
 * Phase 3's data layer (kept once created): the custom metric descriptors, whose deletion
 * would delete the performance and cost history written to them.
 */
export interface Phase3Data {
    metrics: CustomMetricDescriptors;
}

/** Phase 3's compute: removed when the stack rolls back below phase 3. */
export interface Phase3Compute {
    monitoring: HybridMonitoring;
    costTracking: { identity: CostTrackingIdentity; notebooks: NotebookSet; sql: SqlAlerts; job: NotebookJob };
    /** The identity the training and benchmark clusters (phases 1-2) write their metrics as. */
    metricsWriter: MetricsWriterIdentity;
}

export function phase3Data(ctx: PhaseContext): Phase3Data {
    const metrics = new CustomMetricDescriptors("ml-metrics", { project: ctx.config.gcpProject }, ctx.gcpOptions());
    return { metrics };
}

export function phase3Compute(ctx: PhaseContext, baseline: Phase0, p1: Phase1Data, p2: Phase2Data, data: Phase3Data): Phase3Compute {
    const { config } = ctx;
    const db = config.databricks;
    const phase = 3;
    const inWorkspace = { providers: [p1.providers.workspace] };
    const thresholds = alertThresholds(config);
    const channelEmails = alertChannelEmails(config);
    // Phase 0 creates one notification channel per address of costMonitoring.notificationEmails.
    const channels = channelEmails.map((email) => baseline.costMonitoring.channels[config.costMonitoring.notificationEmails.indexOf(email)].id);

    const monitoring = new HybridMonitoring(
        "hybrid-monitoring",
        {
            project: config.gcpProject,
            gkeClusterName: baseline.gke.cluster.name,
            notificationChannels: channels,
            thresholds,
            dashboardName: `ML platform: hybrid operation (${config.environment})`,
            databricksSql: { dailyCostQuery: databricksSqlNames.dailyCostQuery, dbuUtilizationAlert: databricksSqlNames.dbuUtilizationAlert },
            labels: ctx.labels(phase, "monitoring"),
            metrics: Object.values(data.metrics.descriptors),
        },
        ctx.gcpOptions(),
    );

    const metricsWriter = new MetricsWriterIdentity(
        "metrics-writer",
        { project: config.gcpProject, accountId: metricsWriterAccountId, workspaceServiceAccount: p1.workspace.workspace.gcpWorkspaceSa },
        ctx.gcpOptions(),
    );

    const identity = new CostTrackingIdentity(
        "cost-tracking",
        {
            project: config.gcpProject,
            accountId: "ml-cost-tracking",
            billingExportDataset: baseline.costMonitoring.billingExport.datasetId,
            workspaceServiceAccount: p1.workspace.workspace.gcpWorkspaceSa,
        },
        ctx.gcpOptions(),
    );

    const notebooks = new NotebookSet(
        "phase3-notebooks",
        {
            sourceDir: notebooksDir,
            notebooks: [{ file: "cost_tracking.py", path: phase3Layout.notebook }],
            files: phase3Layout.libraryModules.map((module) => ({
                file: `lib/ml_migration/${module}`,
                path: `${workspaceLayout.library}/ml_migration/${module}`,
            })),
        },
        inWorkspace,
    );

    const sql = new SqlAlerts(
        "cost-sql",
        {
            folder: phase3Layout.sqlFolder,
            warehouseId: p1.warehouse.warehouseId,
            catalog: p1.storage.catalog.name,
            schema: p1.storage.schemas[costMetricsTable.schema].name,
            destination: { displayName: `ML platform alerts (${config.environment})`, emails: channelEmails },
            queries: [
                {
                    key: "daily-cost-analysis",
                    displayName: databricksSqlNames.dailyCostQuery,
                    description: "Seed Cost Tracking: compute, storage and network cost per day, newest first",
                    queryText: seedDailyCostQuery,
                },
            ],
            alerts: [
                {
                    key: "daily-cost",
                    displayName: databricksSqlNames.dailyCostAlert,
                    description: `Seed cost_threshold: the latest complete day cost more than $${thresholds.dailyCostUsd}`,
                    queryText: dailyCostAlertQuery,
                    column: dailyCostColumn,
                    op: "GREATER_THAN",
                    threshold: thresholds.dailyCostUsd,
                },
                {
                    key: "dbu-utilization",
                    displayName: databricksSqlNames.dbuUtilizationAlert,
                    description: `Seed min_dbu_utilization: yesterday's DBU-weighted utilisation below ${thresholds.dbuUtilizationFloor}`,
                    queryText: p1.workspace.workspaceId.apply(dbuUtilizationQuery),
                    column: dbuUtilizationColumn,
                    op: "LESS_THAN",
                    threshold: thresholds.dbuUtilizationFloor,
                },
            ],
            tags: ctx.labels(phase, "cost-monitoring"),
        },
        inWorkspace,
    );

    const destinationIds = [sql.destination.id];
    const job = new NotebookJob(
        "cost-tracking",
        {
            jobName: "cost_tracking",
            description: "Seed Cost Tracking: both platforms' daily cost into cost_metrics, then the $1K/day and DBU utilisation alerts",
            jobClusters: {
                costs: {
                    // Small CPU cluster (Photon, spot worker, on-demand driver) running as the cost-tracking identity.
                    spec: photonClusterSpec({
                        sparkVersion: db.dataPrep.sparkVersion,
                        nodeType: db.dataPrep.nodeType,
                        customTags: ctx.labels(phase, "cost-monitoring"),
                        googleServiceAccount: identity.email,
                    }),
                    numWorkers: 1,
                },
            },
            tasks: [
                {
                    key: "load_costs",
                    description: "Replace the last days of cost_metrics from the billing export and system.billing; write daily_cost",
                    notebookPath: notebooks.pathOf(phase3Layout.notebook),
                    jobCluster: "costs",
                    timeoutSeconds: 3600,
                    maxRetries: 2,
                },
            ],
            alertTasks: [
                {
                    key: "daily_cost_alert",
                    description: "Evaluate the $1K/day alert on the costs just loaded",
                    alertId: sql.alerts["daily-cost"].alert.id,
                    warehouseId: p1.warehouse.warehouseId,
                    destinationIds,
                    dependsOn: ["load_costs"],
                    timeoutSeconds: 600,
                    maxRetries: 1,
                },
                {
                    key: "dbu_utilization_alert",
                    description: "Evaluate yesterday's DBU utilisation (system tables; independent of the load)",
                    alertId: sql.alerts["dbu-utilization"].alert.id,
                    warehouseId: p1.warehouse.warehouseId,
                    destinationIds,
                    timeoutSeconds: 600,
                    maxRetries: 1,
                },
            ],
            parameters: {
                catalog: p1.storage.catalog.name,
                lib_path: libraryImportPath,
                cost_table: `${costMetricsTable.schema}.${costMetricsTable.name}`,
                billing_export_table: billingExportTable(config.gcpProject, config.costMonitoring.billingAccount),
                gcp_project: config.gcpProject,
                workspace_id: p1.workspace.workspaceId,
                lookback_days: String(costTrackingLookbackDays),
                metric_prefix: customMetricPrefix,
                // GCP ran all the training before the workspace existed: its last days are the baseline.
                // Empty until the workspace reports its creation time; the notebook then skips the baseline.
                baseline_end: p1.workspace.workspace.creationTime.apply((ms) => (Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString().slice(0, 10) : "")),
                baseline_days: String(costBaselineDays),
            },
            schedule: { ...costTrackingSchedule, paused: db.schedulesPaused },
            failureEmails: config.costMonitoring.notificationEmails,
            timeoutSeconds: 2 * 3600,
            tags: ctx.labels(phase, "cost-monitoring"),
            ...jobIdentity(p1.access.roles),
        },
        // The cluster's Google identity needs its grants before the first run, the table must
        // exist, and the run-as service principal must be assigned to the workspace.
        { ...inWorkspace, dependsOn: [...identity.grants, p2.tables.costMetrics, ...p1.access.assignments] },
    );

    return { monitoring, costTracking: { identity, notebooks, sql, job }, metricsWriter };
}
