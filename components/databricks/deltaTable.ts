import * as databricks from "@pulumi/databricks";
import * as pulumi from "@pulumi/pulumi";
import { deltaStorage } from "../../domain/targets";
import { TableDefinition } from "../../domain/databricks/tableDefinitions";
import { MigrationComponent } from "../stateful";

export interface DeltaTableArgs {
    catalog: pulumi.Input<string>;
    schema: pulumi.Input<string>;
    definition: TableDefinition;
    /** The SQL warehouse that runs the table's DDL (without it the provider starts a cluster of its own). */
    warehouseId: pulumi.Input<string>;
}

/** Liquid clustering takes at most four keys. */
export const maxClusterKeys = 4;
const identifier = /^[a-z][a-z0-9_]{0,254}$/;

/**
 * One managed Unity Catalog Delta table. Managed tables are Delta by definition: no
 * `dataSourceFormat` (the provider rejects it) and no storage location (the catalog's managed
 * root decides). Tables are stateful: protected, and retained when the phase that added them
 * is rolled back. The provider alters columns in place (docs/pitfalls.md, Delta schema changes).
 */
export class DeltaTable extends MigrationComponent {
    readonly table: databricks.SqlTable;
    /** `catalog.schema.table`. */
    readonly fullName: pulumi.Output<string>;

    constructor(name: string, args: DeltaTableArgs, opts?: pulumi.ComponentResourceOptions) {
        validate(name, args.definition);
        super("migration:databricks:DeltaTable", name, {}, opts);
        const { definition } = args;

        this.table = new databricks.SqlTable(
            name,
            {
                catalogName: args.catalog,
                schemaName: args.schema,
                name: definition.name,
                tableType: "MANAGED",
                warehouseId: args.warehouseId,
                comment: definition.comment,
                columns: definition.columns.map((c) => ({ name: c.name, type: c.type, comment: c.comment, nullable: c.nullable ?? true })),
                // No keys: leave clustering off (the provider's default) rather than send an empty list.
                ...(definition.clusterKeys.length > 0 ? { clusterKeys: definition.clusterKeys } : {}),
                properties: definition.properties,
            },
            { parent: this },
        );
        this.fullName = pulumi.interpolate`${args.catalog}.${args.schema}.${definition.name}`;
        this.registerOutputs({ fullName: this.fullName });
    }
}

/** Hours in a Delta interval property (`interval 168 hours`, `interval 7 days`), or undefined. */
export function intervalHours(text: string): number | undefined {
    const match = /^interval\s+(\d+)\s+(hour|hours|day|days|week|weeks)$/i.exec(text.trim());
    if (!match) return undefined;
    const n = Number(match[1]);
    const unit = match[2].toLowerCase();
    return unit.startsWith("hour") ? n : unit.startsWith("day") ? n * 24 : n * 24 * 7;
}

export function tableDefinitionProblems(definition: TableDefinition): string[] {
    const problems: string[] = [];
    if (!identifier.test(definition.name)) problems.push(`name ${JSON.stringify(definition.name)}: expected lowercase letters, digits or '_'`);
    if (!identifier.test(definition.schema)) problems.push(`schema ${JSON.stringify(definition.schema)}: expected lowercase letters, digits or '_'`);
    if (definition.columns.length === 0) problems.push("columns: expected at least one column");
    const names = definition.columns.map((c) => c.name);
    const duplicates = names.filter((n, i) => names.indexOf(n) !== i);
    if (duplicates.length > 0) problems.push(`columns: ${[...new Set(duplicates)].join(", ")} defined twice`);
    for (const column of definition.columns) {
        if (/[<(][^>)]*,\s/.test(column.type)) {
            problems.push(
                `column ${column.name} type ${JSON.stringify(column.type)}: ` +
                    "no space after commas (MAP<STRING,DOUBLE>), or the table shows a change on every run",
            );
        }
    }
    if (definition.clusterKeys.length > maxClusterKeys) {
        problems.push(`clusterKeys ${definition.clusterKeys.join(", ")}: liquid clustering takes at most ${maxClusterKeys} keys`);
    }
    for (const key of definition.clusterKeys) {
        if (!names.includes(key)) problems.push(`clusterKeys: ${JSON.stringify(key)} is not a column (${names.join(", ")})`);
    }
    const retention = definition.properties["delta.deletedFileRetentionDuration"];
    const hours = retention === undefined ? undefined : intervalHours(retention);
    if (hours === undefined || hours < deltaStorage.vacuumRetentionHours) {
        problems.push(
            `properties["delta.deletedFileRetentionDuration"] = ${JSON.stringify(retention ?? null)}: ` +
                `expected an interval of at least ${deltaStorage.vacuumRetentionHours} hours, ` +
                `such as "interval ${deltaStorage.vacuumRetentionHours} hours"`,
        );
    }
    return problems;
}

function validate(name: string, definition: TableDefinition): void {
    const problems = tableDefinitionProblems(definition);
    if (problems.length > 0) throw new Error(`DeltaTable ${name}: ${problems.join("; ")}`);
}
