import * as databricks from "@pulumi/databricks";
import { describe, expect, it } from "vitest";
import { SqlWarehouse, SqlWarehouseArgs } from "../../../components/databricks/sqlWarehouse";
import { byType, runProgram } from "../../harness";

const args: SqlWarehouseArgs = {
    warehouseName: "ml-sql-dev",
    clusterSize: "2X-Small",
    autoStopMinutes: 10,
    maxClusters: 1,
    tags: { team: "t", env: "e" },
    access: [{ servicePrincipalName: "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a", permissionLevel: "CAN_USE" }],
};

const run = (overrides: Partial<SqlWarehouseArgs> = {}) =>
    runProgram(() => {
        const workspace = new databricks.Provider("workspace", { host: "https://1.6.gcp.databricks.com" });
        new SqlWarehouse("sql", { ...args, ...overrides }, { providers: [workspace] });
    });

describe("SqlWarehouse", () => {
    it("is serverless (a PRO warehouse), stops when idle, and carries the labels as tags", async () => {
        const [warehouse] = byType(await run(), "databricks:index/sqlEndpoint:SqlEndpoint");
        expect(warehouse.inputs).toMatchObject({
            name: "ml-sql-dev",
            clusterSize: "2X-Small",
            enableServerlessCompute: true,
            warehouseType: "PRO",
            autoStopMins: 10,
            minNumClusters: 1,
            maxNumClusters: 1,
            tags: { customTags: [{ key: "team", value: "t" }, { key: "env", value: "e" }] },
        });
    });

    it("lets the named principals use it, through one authoritative Permissions", async () => {
        const graph = await run();
        const [warehouse] = byType(graph, "databricks:index/sqlEndpoint:SqlEndpoint");
        const [permissions] = byType(graph, "databricks:index/permissions:Permissions");
        expect(permissions.inputs).toEqual({ sqlEndpointId: warehouse.id, accessControls: args.access });
    });

    it.each<[Partial<SqlWarehouseArgs>, string]>([
        [{ autoStopMinutes: 0 }, "autoStopMinutes 0: expected 1 to 30"],
        [{ autoStopMinutes: 60 }, "autoStopMinutes 60: expected 1 to 30"],
        [{ clusterSize: "Huge" }, 'clusterSize "Huge": expected one of 2X-Small'],
        [{ maxClusters: 0 }, "maxClusters 0"],
        [{ access: [] }, "access: expected at least the identity whose jobs run SQL on the warehouse"],
    ])("refuses %j", async (overrides, message) => {
        const error = await run(overrides).catch((e) => e);
        expect(error.message).toContain(`SqlWarehouse sql: ${message}`);
    });
});
