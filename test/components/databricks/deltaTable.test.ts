import * as databricks from "@pulumi/databricks";
import { describe, expect, it } from "vitest";
import { DeltaTable, intervalHours, tableDefinitionProblems } from "../../../components/databricks/deltaTable";
import {
    benchmarkResultsTable,
    costMetricsTable,
    modelsTable,
    TableDefinition,
    trainingExamplesTable,
    trainingFeaturesTable,
} from "../../../domain/databricks/tableDefinitions";
import { ResourceGraph } from "../../../tools/model/graph";
import { byType, runProgram } from "../../harness";

const run = (definition: TableDefinition): Promise<ResourceGraph> =>
    runProgram(() => {
        const workspace = new databricks.Provider("workspace", { host: "https://1.6.gcp.databricks.com" });
        new DeltaTable("t", { catalog: "ml_dev", schema: definition.schema, definition, warehouseId: "wh-1" }, { providers: [workspace] });
    });

describe("DeltaTable", () => {
    it("creates `models` as the seed's Delta table, translated: managed, on the warehouse, clustered, 168 h retention", async () => {
        const [table] = byType(await run(modelsTable), "databricks:index/sqlTable:SqlTable");
        expect(table.inputs).toMatchObject({
            catalogName: "ml_dev",
            schemaName: "ml",
            name: "models",
            tableType: "MANAGED",
            warehouseId: "wh-1",
            clusterKeys: ["model_id", "version"],
            properties: {
                "delta.autoOptimize.optimizeWrite": "true",
                "delta.autoOptimize.autoCompact": "true",
                "delta.deletedFileRetentionDuration": "interval 168 hours",
            },
        });
        // Managed tables: no format (Delta by definition), no location (no /mnt/models), no cluster of their own.
        expect(table.inputs).not.toHaveProperty("dataSourceFormat");
        expect(table.inputs).not.toHaveProperty("storageLocation");
        expect(table.inputs).not.toHaveProperty("clusterId");
        expect(table.inputs).not.toHaveProperty("partitions");
        const columns = table.inputs.columns as { name: string; type: string; nullable: boolean }[];
        expect(columns.map((c) => c.name)).toEqual(expect.arrayContaining(["model_id", "version"]));
        expect(columns.find((c) => c.name === "model_id")!.nullable).toBe(false);
        expect(table).toMatchObject({ protect: true, retainOnDelete: true });
    });

    it("leaves clustering off for a table without keys (the maintenance job Z-orders it)", async () => {
        const [table] = byType(await run(trainingExamplesTable), "databricks:index/sqlTable:SqlTable");
        expect(table.inputs).not.toHaveProperty("clusterKeys");
        expect(table.inputs.properties).toMatchObject({ "delta.deletedFileRetentionDuration": "interval 168 hours" });
    });

    it("has cost_metrics with the seed's cost query columns", () => {
        const names = costMetricsTable.columns.map((c) => c.name);
        expect(names).toEqual(expect.arrayContaining(["date", "compute_cost", "storage_cost", "network_cost", "source"]));
    });

    it.each([modelsTable, benchmarkResultsTable, costMetricsTable, trainingExamplesTable, trainingFeaturesTable])("defines $name without problems", (definition) => {
        expect(tableDefinitionProblems(definition)).toEqual([]);
    });

    const broken = (change: Partial<TableDefinition>): TableDefinition => ({ ...modelsTable, ...change });
    it.each<[string, TableDefinition, string]>([
        ["a MAP type with a space", broken({ columns: [{ name: "m", type: "MAP<STRING, DOUBLE>", comment: "" }], clusterKeys: [] }), "no space after commas"],
        ["a cluster key that is not a column", broken({ clusterKeys: ["model_id", "release"] }), 'clusterKeys: "release" is not a column'],
        ["five cluster keys", broken({ clusterKeys: ["model_id", "version", "name", "framework", "source"] }), "at most 4 keys"],
        ["a shorter VACUUM retention", broken({ properties: { "delta.deletedFileRetentionDuration": "interval 24 hours" } }), "at least 168 hours"],
        ["no retention", broken({ properties: {} }), 'deletedFileRetentionDuration"] = null'],
        ["a duplicated column", broken({ columns: [...modelsTable.columns, modelsTable.columns[0]] }), "model_id defined twice"],
    ])("refuses %s", async (_, definition, message) => {
        expect(tableDefinitionProblems(definition).join("\n")).toContain(message);
        const error = await run(definition).catch((e) => e);
        expect(error.message).toContain(`DeltaTable t: `);
        expect(error.message).toContain(message);
    });

    it("reads Delta interval properties in hours", () => {
        expect(intervalHours("interval 168 hours")).toBe(168);
        expect(intervalHours("interval 7 days")).toBe(168);
        expect(intervalHours("interval 2 weeks")).toBe(336);
        expect(intervalHours("168 hours")).toBeUndefined();
    });
});
