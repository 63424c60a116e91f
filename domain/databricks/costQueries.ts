/**
 * The Databricks SQL of cost tracking and its alerts, as text. Pure (no Pulumi import): the
 * saved queries and alerts are created from it, and the tests parse it.
 */

/**
 * Seed "Cost Tracking", verbatim. It names `cost_metrics` without a catalog or schema: the
 * saved query runs with the catalog and the `ops` schema as its defaults.
 */
export const seedDailyCostQuery = `-- Daily cost analysis
SELECT 
    date,
    SUM(compute_cost) as compute_cost,
    SUM(storage_cost) as storage_cost,
    SUM(network_cost) as network_cost
FROM cost_metrics
GROUP BY date
ORDER BY date DESC`;

/** The seed query without its comment line, to nest inside another query. */
const seedQueryBody = seedDailyCostQuery.replace(/^--.*\n/, "");

/** The column the daily cost alert compares with the threshold. */
export const dailyCostColumn = "total_cost";

/**
 * The latest day of the seed's query, totalled: the cost_tracking job loads complete UTC days
 * only and evaluates the alert right after loading, so the latest day is yesterday.
 */
export const dailyCostAlertQuery = `-- Total cost of the latest complete day (seed cost_threshold: alert at $1K/day)
SELECT
    date,
    COALESCE(compute_cost, 0) + COALESCE(storage_cost, 0) + COALESCE(network_cost, 0) AS ${dailyCostColumn}
FROM (
${seedQueryBody}
) AS daily
ORDER BY date DESC
LIMIT 1`;

/** The column the DBU utilisation alert compares with the floor. */
export const dbuUtilizationColumn = "dbu_utilization";

/**
 * DBU utilisation of the last complete UTC day in one workspace: each cluster's DBUs
 * (`system.billing.usage`) weighted by how busy its nodes were (`system.compute.node_timeline`,
 * CPU user + system). A DBU is paid for every node-hour; the share of those hours the nodes
 * worked is the share of the DBUs that did work. System tables hold no GPU utilisation, so GPU
 * clusters are judged by their CPUs here and by `gpu_utilization` in Cloud Monitoring.
 */
export function dbuUtilizationQuery(workspaceId: string): string {
    if (!/^\d+$/.test(workspaceId)) throw new RangeError(`workspace ID ${JSON.stringify(workspaceId)}: expected the numeric workspace ID`);
    return `-- DBU utilisation of yesterday (UTC), DBU-weighted (seed min_dbu_utilization)
WITH dbus AS (
    SELECT usage_metadata.cluster_id AS cluster_id, SUM(usage_quantity) AS dbus
    FROM system.billing.usage
    WHERE workspace_id = '${workspaceId}'
        AND usage_unit = 'DBU'
        AND usage_date = date_sub(current_date(), 1)
        AND usage_metadata.cluster_id IS NOT NULL
    GROUP BY usage_metadata.cluster_id
),
busy AS (
    SELECT cluster_id, AVG((cpu_user_percent + cpu_system_percent) / 100) AS utilization
    FROM system.compute.node_timeline
    WHERE workspace_id = '${workspaceId}'
        AND start_time >= date_sub(current_date(), 1)
        AND start_time < current_date()
    GROUP BY cluster_id
)
SELECT
    SUM(d.dbus * COALESCE(b.utilization, 0)) / NULLIF(SUM(d.dbus), 0) AS ${dbuUtilizationColumn},
    SUM(d.dbus) AS dbus
FROM dbus AS d
LEFT JOIN busy AS b ON b.cluster_id = d.cluster_id`;
}
