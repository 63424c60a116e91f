/**
 * Delta schemas only grow: the provider alters a SqlTable in place, so a column dropped,
 * renamed, retyped or moved in a table definition would lose data in every environment.
 * Judged three ways: the pure reading of the provider (`schemaChangeProblems`), the mandatory
 * policy against the released schemas (what `migration check` runs, proved end to end in
 * test/cli/deltaSchemaCheck.test.ts), and the program against the columns its own snapshot
 * records.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
    ColumnShape,
    columnTypeKey,
    droppedColumnProblems,
    modelsTable,
    ReleasedSchemas,
    releaseSchemas,
    schemaChangeProblems,
    tableDefinitions,
    TableDefinition,
} from "../../domain/databricks/tableDefinitions";
import { deltaSchemaEvolution } from "../../policies/safety/deltaSchemaEvolution";
import { ResourceGraph } from "../../tools/model/graph";
import { projectDir, runStack } from "../harness";
import { runResourcePolicy, unknown } from "./policyHarness";

const cols = (...specs: string[]): ColumnShape[] => specs.map((s) => ({ name: s.split(" ")[0], type: s.split(" ")[1] ?? "STRING" }));
const summary = (previous: ColumnShape[], next: ColumnShape[], dropped: string[] = []) => schemaChangeProblems(previous, next, dropped).map((p) => `${p.change} ${p.column}`);

describe("how the provider applies a column change, and which ones lose data", () => {
    const before = cols("id INT", "name STRING", "score DOUBLE");

    it("allows columns added anywhere, and type spellings the provider folds", () => {
        expect(summary(before, cols("id INT", "name STRING", "score DOUBLE", "extra STRING"))).toEqual([]);
        expect(summary(before, cols("new STRING", "id INT", "name STRING", "extra DATE", "score DOUBLE"))).toEqual([]);
        expect(summary(before, cols("id integer", "name `string`", "score double"))).toEqual([]);
        expect(columnTypeKey("DECIMAL")).toBe("decimal(10,0)");
        expect(columnTypeKey("MAP<STRING,DOUBLE>")).toBe("map<string,double>");
    });

    it("refuses a drop unless it is on purpose", () => {
        expect(summary(before, cols("id INT", "score DOUBLE"))).toEqual(["drop name"]);
        expect(summary(before, cols("id INT", "score DOUBLE"), ["name"])).toEqual([]);
    });

    it("reads an equal count as renames by position: a swap, or a drop and an add in one change", () => {
        expect(summary(before, cols("id INT", "label STRING", "score DOUBLE"))).toEqual(["rename name"]);
        // Dropping name on purpose while adding label keeps the count: the provider renames.
        expect(summary(before, cols("id INT", "label STRING", "score DOUBLE"), ["name"])).toEqual(["rename name"]);
        expect(summary(before, cols("id INT", "score DOUBLE", "name STRING"))).toEqual(["reorder name", "reorder score"]);
    });

    it("refuses a retype, and a reordering that comes with an addition", () => {
        expect(summary(before, cols("id BIGINT", "name STRING", "score DOUBLE"))).toEqual(["retype id"]);
        expect(summary(before, cols("id BIGINT", "name STRING", "score DOUBLE", "x INT"))).toEqual(["retype id"]);
        expect(summary(before, cols("name STRING", "id INT", "score DOUBLE", "x INT"))).toEqual(["reorder id"]);
    });

    it("never refuses a pure addition, and always refuses removing a column that is not dropped on purpose (property)", () => {
        const names = fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 8 });
        fc.assert(
            fc.property(names, fc.array(fc.nat(), { maxLength: 4 }), (existing, positions) => {
                const previous = existing.map((name) => ({ name, type: "STRING" }));
                const next = [...previous];
                positions.forEach((p, i) => next.splice(p % (next.length + 1), 0, { name: `added_${i}`, type: "INT" }));
                expect(schemaChangeProblems(previous, next)).toEqual([]);
                const removed = previous[positions.length % previous.length];
                const without = next.filter((c) => c.name !== removed.name);
                expect(schemaChangeProblems(previous, without).map((p) => p.column)).toContain(removed.name);
            }),
        );
    });
});

describe("the released schemas", () => {
    const file = path.join(projectDir, "domain/databricks/releasedTableSchemas.json");
    const released = JSON.parse(fs.readFileSync(file, "utf8")) as ReleasedSchemas;

    it("hold every column every table definition ships (`npm run docs` adds new ones)", () => {
        expect(releaseSchemas(released)).toEqual(released);
        for (const definition of tableDefinitions) expect(droppedColumnProblems(definition)).toEqual([]);
    });

    it("only ever grow: a new column goes after the one it follows, a removed or retyped one stays as released", () => {
        const table: TableDefinition = { ...modelsTable, columns: modelsTable.columns.filter((c) => c.name !== "framework").map((c) => (c.name === "version" ? { ...c, type: "BIGINT" } : c)) };
        table.columns.splice(2, 0, { name: "owner", type: "STRING", comment: "Team that owns the model" });
        const next = releaseSchemas(released, [table])["ml.models"];
        expect(next.map((c) => c.name)).toEqual(["model_id", "version", "owner", ...released["ml.models"].slice(2).map((c) => c.name)]);
        expect(next.find((c) => c.name === "version")?.type).toBe("INT");
        expect(releaseSchemas({}, [table])).toEqual({ "ml.models": table.columns.map((c) => ({ name: c.name, type: c.type })) });
    });

    it("name a dropped column listed twice, or without a reason", () => {
        const table: TableDefinition = { ...modelsTable, droppedColumns: [{ name: "framework", reason: " " }] };
        expect(droppedColumnProblems(table)).toEqual([
            "ml.models: framework is listed in droppedColumns and in columns; a column is either kept or dropped",
            "ml.models: droppedColumns framework needs a reason",
        ]);
    });
});

describe("delta-schema-evolution", () => {
    const table = (columns: { name: string; type: string }[], schemaName: unknown = "ml") => ({
        type: "databricks:index/sqlTable:SqlTable",
        name: "models",
        props: { catalogName: "ml_prod", schemaName, name: "models", tableType: "MANAGED", columns },
        protect: true,
    });
    const released = modelsTable.columns.map((c) => ({ name: c.name, type: c.type, comment: c.comment }));

    it("passes the released columns, and new ones added", async () => {
        expect((await runResourcePolicy(deltaSchemaEvolution, table(released))).violations).toEqual([]);
        const added = [...released.slice(0, 3), { name: "owner", type: "STRING", comment: "" }, ...released.slice(3)];
        expect((await runResourcePolicy(deltaSchemaEvolution, table(added))).violations).toEqual([]);
    });

    it("refuses a dropped column, naming the table, the column and the way to do it on purpose", async () => {
        const [violation, ...rest] = (await runResourcePolicy(deltaSchemaEvolution, table(released.filter((c) => c.name !== "framework")))).violations;
        expect(rest).toEqual([]);
        expect(violation.message).toContain('databricks:index/sqlTable:SqlTable "models" (table ml.models): column framework is dropped: it would be dropped with its data');
        expect(violation.message).toContain("list it in the table definition's droppedColumns with the reason");
    });

    it("refuses a rename and a retype", async () => {
        const renamed = released.map((c) => (c.name === "framework" ? { ...c, name: "library" } : c));
        const retyped = released.map((c) => (c.name === "version" ? { ...c, type: "BIGINT" } : c));
        expect((await runResourcePolicy(deltaSchemaEvolution, table(renamed))).violations[0].message).toContain("column framework is renamed: it would be renamed to library");
        expect((await runResourcePolicy(deltaSchemaEvolution, table(retyped))).violations[0].message).toContain("column version is retyped: its type would change from INT to BIGINT");
    });

    it("skips a table whose schema is still being created (unknown at preview): it holds nothing yet", async () => {
        const dropped = released.filter((c) => c.name !== "framework");
        expect((await runResourcePolicy(deltaSchemaEvolution, table(dropped, unknown))).violations).toEqual([]);
    });

    it("is not applicable to a table that was never released", async () => {
        const outcome = await runResourcePolicy(deltaSchemaEvolution, { ...table(released), props: { ...table(released).props, name: "new_table" } });
        expect(outcome.notApplicable).toContain("no released schema for table new_table");
    });
});

describe("the program, against the columns its snapshot records", () => {
    it("refuses to run when a definition would drop a deployed column, and runs when one is added", async () => {
        const deployed = await runStack("dev", { "migration:phase": 2 });
        const withColumn = (graph: ResourceGraph, column: { name: string; type: string }): ResourceGraph => ({
            ...graph,
            resources: graph.resources.map((r) =>
                r.type === "databricks:index/sqlTable:SqlTable" && r.outputs.name === "models" ? { ...r, outputs: { ...r.outputs, columns: [...(r.outputs.columns as unknown[]), column] } } : r,
            ),
        });
        // The stack holds a `notes` column the definition no longer has: deploying would drop it.
        await expect(runStack("dev", { "migration:phase": 2 }, [], withColumn(deployed, { name: "notes", type: "string" }))).rejects.toThrow(
            /refused: the Delta tables the stack holds would lose data: ml\.models\.notes: it would be dropped with its data.*droppedColumns/,
        );
        // A definition with one column more than the stack holds only adds it.
        const fewer: ResourceGraph = {
            ...deployed,
            resources: deployed.resources.map((r) =>
                r.type === "databricks:index/sqlTable:SqlTable" && r.outputs.name === "models" ? { ...r, outputs: { ...r.outputs, columns: (r.outputs.columns as unknown[]).slice(0, -1) } } : r,
            ),
        };
        expect((await runStack("dev", { "migration:phase": 2 }, [], fewer)).outputs.dataPhase).toBe(2);
    }, 60_000);
});
