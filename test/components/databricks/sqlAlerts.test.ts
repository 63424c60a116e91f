import { describe, expect, it } from "vitest";
import { dailyCostAlertQuery, dbuUtilizationQuery, seedDailyCostQuery } from "../../../domain/databricks/costQueries";
import { SqlAlerts, SqlAlertsArgs } from "../../../components/databricks/sqlAlerts";
import { byType, runProgram } from "../../harness";

const args: SqlAlertsArgs = {
    folder: "/Shared/monitoring",
    warehouseId: "wh-1",
    catalog: "ml_dev",
    schema: "ops",
    destination: { displayName: "alerts", emails: ["a@example.com"] },
    queries: [{ key: "daily", displayName: "Daily", description: "d", queryText: seedDailyCostQuery }],
    alerts: [{ key: "cost", displayName: "Cost", description: "c", queryText: dailyCostAlertQuery, column: "total_cost", op: "GREATER_THAN", threshold: 1000 }],
    tags: { team: "t", phase: "phase-3" },
};

describe("SqlAlerts", () => {
    it("saves queries in the folder with the catalog and schema as defaults, and an alert over a query of its own", async () => {
        const graph = await runProgram(() => new SqlAlerts("sql", args));
        const queries = byType(graph, "databricks:index/query:Query");
        expect(queries.map((q) => q.name)).toEqual(["sql-daily", "sql-cost-query"]);
        for (const q of queries) {
            expect(q.inputs).toMatchObject({ warehouseId: "wh-1", catalog: "ml_dev", schema: "ops", parentPath: "/Shared/monitoring", runAsMode: "OWNER", tags: ["team:t", "phase:phase-3"] });
        }
        const [alert] = byType(graph, "databricks:index/alert:Alert");
        expect(alert.inputs).toMatchObject({ queryId: "sql-cost-query-id", parentPath: "/Shared/monitoring", notifyOnOk: true });
        expect(alert.inputs.condition).toMatchObject({ op: "GREATER_THAN", threshold: { value: { doubleValue: 1000 } } });
        const [destination] = byType(graph, "databricks:index/notificationDestination:NotificationDestination");
        expect(destination.inputs.config).toEqual({ email: { addresses: ["a@example.com"] } });
    });

    it.each<[string, Partial<SqlAlertsArgs>, string]>([
        ["a folder outside the workspace tree", { folder: "/mnt/alerts" }, 'folder "/mnt/alerts": expected a workspace folder'],
        ["a destination without addresses", { destination: { displayName: "x", emails: [] } }, "destination.emails: expected at least one address"],
        ["a key used twice", { alerts: [{ ...args.alerts[0], key: "daily" }] }, "keys defined twice: daily"],
        ["a column that is not a column", { alerts: [{ ...args.alerts[0], column: "total cost" }] }, 'alert cost column "total cost": expected a result column name'],
    ])("refuses %s", async (_, change, message) => {
        const error = await runProgram(() => new SqlAlerts("sql", { ...args, ...change })).catch((e) => e);
        expect(error.message).toContain(`SqlAlerts sql: ${message}`);
    });
});

describe("cost queries", () => {
    it("puts the workspace ID into the DBU utilisation query only when it is a numeric ID", () => {
        const sql = dbuUtilizationQuery("1234567890123456");
        expect(sql.match(/workspace_id = '1234567890123456'/g)).toHaveLength(2);
        expect(sql).toContain("FROM system.billing.usage");
        expect(sql).toContain("FROM system.compute.node_timeline");
        expect(sql).toMatch(/AS dbu_utilization,/);
        expect(() => dbuUtilizationQuery("1' OR '1'='1")).toThrow(/expected the numeric workspace ID/);
    });
});
