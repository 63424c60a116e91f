/**
 * The Delta tables of the migration, as data: columns, liquid-clustering keys and table
 * properties. No Pulumi import; the DeltaTable component creates them, the notebooks write
 * the same columns, and the tests hold both to this file.
 */
import { deltaStorage, deltaTableProperties } from "../targets";

export interface TableColumn {
    name: string;
    /** SQL type text. MAP/STRUCT types take no space after commas (`MAP<STRING,DOUBLE>`), or the table diffs forever. */
    type: string;
    comment: string;
    nullable?: boolean;
}

/** A column removed from a table on purpose (see `schemaChangeProblems`): its data goes with it. */
export interface DroppedColumn {
    name: string;
    /** Why, and where its data went (copied out, no longer written): a reviewed line. */
    reason: string;
}

export interface TableDefinition {
    schema: string;
    name: string;
    comment: string;
    columns: TableColumn[];
    /** Liquid clustering keys (at most four), the modern replacement for the seed's ZORDER. */
    clusterKeys: string[];
    properties: Record<string, string>;
    /** Released columns removed on purpose; any other removal is refused before `up`. */
    droppedColumns?: readonly DroppedColumn[];
}

export const modelsTable: TableDefinition = {
    schema: "ml",
    name: "models",
    comment: "Trained model versions, on either platform (seed Phase 2, Day 8-10)",
    columns: [
        { name: "model_id", type: "STRING", comment: "Stable model identifier", nullable: false },
        { name: "version", type: "INT", comment: "Model version, increasing per model_id", nullable: false },
        { name: "name", type: "STRING", comment: "Human-readable model name" },
        { name: "framework", type: "STRING", comment: "Training framework, such as pytorch" },
        { name: "registered_model", type: "STRING", comment: "Unity Catalog registered model (catalog.schema.name)" },
        { name: "artifact_uri", type: "STRING", comment: "Where the artifacts are: a /Volumes path or an MLflow URI" },
        { name: "training_run_id", type: "STRING", comment: "MLflow run that produced the version" },
        { name: "training_throughput", type: "DOUBLE", comment: "Training samples per second" },
        { name: "metrics", type: "MAP<STRING,DOUBLE>", comment: "Evaluation metrics by name" },
        { name: "source", type: "STRING", comment: "Platform that trained it: databricks or gcp", nullable: false },
        { name: "created_at", type: "TIMESTAMP", comment: "When the version was recorded", nullable: false },
    ],
    clusterKeys: [...deltaStorage.clusteringColumns],
    properties: deltaTableProperties,
};

export const benchmarkResultsTable: TableDefinition = {
    schema: "ml",
    name: "benchmark_results",
    comment: "Benchmark suite results against the GCP baseline (seed Phase 1, Day 6-7; promotion gates)",
    columns: [
        { name: "run_id", type: "STRING", comment: "Benchmark run", nullable: false },
        { name: "run_at", type: "TIMESTAMP", comment: "When the run finished", nullable: false },
        { name: "platform", type: "STRING", comment: "databricks or gcp (the baseline)", nullable: false },
        { name: "category", type: "STRING", comment: "Category of the benchmark (ml_migration.benchmarks)", nullable: false },
        { name: "benchmark", type: "STRING", comment: "A benchmark of the suite (ml_migration.benchmarks)", nullable: false },
        { name: "metric", type: "STRING", comment: "What was measured, such as samples_per_second", nullable: false },
        { name: "value", type: "DOUBLE", comment: "Measured value" },
        { name: "unit", type: "STRING", comment: "Unit of value" },
        { name: "baseline_value", type: "DOUBLE", comment: "Latest GCP value of the same metric" },
        { name: "ratio", type: "DOUBLE", comment: "value / baseline_value (Databricks over GCP)" },
        { name: "gate", type: "STRING", comment: "Success gate the ratio is held to; null for a benchmark no gate holds" },
        { name: "passed", type: "BOOLEAN", comment: "Whether the ratio meets the gate" },
        { name: "node_type", type: "STRING", comment: "Instance type measured" },
        { name: "workers", type: "INT", comment: "Worker count measured" },
        { name: "model", type: "STRING", comment: "Workload the benchmark ran (resnet50, bert_base or a team's own)" },
        { name: "gpus", type: "INT", comment: "GPUs the benchmark ran on" },
        { name: "gpu_type", type: "STRING", comment: "GPU model, as the driver names it" },
        { name: "runtime", type: "STRING", comment: "Container image or Databricks Runtime, with the torch and CUDA versions" },
        { name: "config", type: "STRING", comment: "The configuration rows are compared on (JSON: model, sizes, precision, batch, scope)" },
        { name: "baseline_run_id", type: "STRING", comment: "The GCP run the ratio was taken against" },
    ],
    clusterKeys: ["platform", "benchmark"],
    properties: deltaTableProperties,
};

export const costMetricsTable: TableDefinition = {
    schema: "ops",
    name: "cost_metrics",
    comment: "Daily cost by platform (seed Cost Tracking: compute, storage and network cost per date)",
    columns: [
        { name: "date", type: "DATE", comment: "Usage date (UTC)", nullable: false },
        { name: "source", type: "STRING", comment: "databricks or gcp", nullable: false },
        { name: "workload", type: "STRING", comment: "Workload label of the spend" },
        { name: "compute_cost", type: "DECIMAL(18,4)", comment: "Compute cost in currency" },
        { name: "storage_cost", type: "DECIMAL(18,4)", comment: "Storage cost in currency" },
        { name: "network_cost", type: "DECIMAL(18,4)", comment: "Network cost in currency" },
        { name: "currency", type: "STRING", comment: "ISO 4217 code, such as USD" },
        { name: "loaded_at", type: "TIMESTAMP", comment: "When the row was loaded" },
    ],
    clusterKeys: ["date", "source"],
    properties: deltaTableProperties,
};

/**
 * The GCP side's training examples as copied (seed Day 8-10), one row per example and file.
 * No clustering keys: rows arrive in export order, and the maintenance job Z-orders them by
 * event time, the one column every reader filters on.
 */
export const trainingExamplesTable: TableDefinition = {
    schema: "raw",
    name: "training_examples",
    comment: "Training examples copied from the GCP side by the data_migration job (COPY INTO)",
    columns: [
        { name: "example_id", type: "STRING", comment: "Example identifier from the GCP pipeline" },
        { name: "features", type: "ARRAY<FLOAT>", comment: "Feature vector" },
        { name: "label", type: "DOUBLE", comment: "Training label" },
        { name: "event_time", type: "TIMESTAMP", comment: "When the example was produced" },
        { name: "source_file", type: "STRING", comment: "GCS object the row was copied from" },
    ],
    clusterKeys: [],
    properties: deltaTableProperties,
};

/** Seed Day 11-12 `data_prep` output: deduplicated, complete examples, merged hourly. */
export const trainingFeaturesTable: TableDefinition = {
    schema: "curated",
    name: "training_features",
    comment: "Deduplicated, complete training examples (the data_prep task merges into it hourly)",
    columns: [
        { name: "example_id", type: "STRING", comment: "Example identifier", nullable: false },
        { name: "features", type: "ARRAY<FLOAT>", comment: "Feature vector", nullable: false },
        { name: "label", type: "DOUBLE", comment: "Training label", nullable: false },
        { name: "event_time", type: "TIMESTAMP", comment: "When the example was produced" },
        { name: "prepared_at", type: "TIMESTAMP", comment: "When data_prep last wrote the row", nullable: false },
    ],
    clusterKeys: ["example_id"],
    properties: deltaTableProperties,
};

/** Every table the program creates, for the rules that look one up by its schema and name. */
export const tableDefinitions: readonly TableDefinition[] = [modelsTable, benchmarkResultsTable, costMetricsTable, trainingExamplesTable, trainingFeaturesTable];

/** `schema.table`, how the released schemas and the messages name a table. */
export function tableKey(table: { schema: string; name: string }): string {
    return `${table.schema}.${table.name}`;
}

export function findTableDefinition(schema: string | undefined, name: string): TableDefinition | undefined {
    const candidates = tableDefinitions.filter((d) => d.name === name && (schema === undefined || d.schema === schema));
    return candidates.length === 1 ? candidates[0] : undefined;
}

export interface ColumnShape {
    name: string;
    type: string;
}

/**
 * A column type as the Databricks provider compares types: without backticks, lowercase, with
 * the SQL aliases it folds (`integer` is `int`, `long` is `bigint`, a bare `decimal` is
 * `decimal(10,0)`, …).
 */
export function columnTypeKey(type: string): string {
    const text = type.replace(/`/g, "").toLowerCase();
    const aliases: Record<string, string> = {
        integer: "int",
        long: "bigint",
        real: "float",
        short: "smallint",
        byte: "tinyint",
        decimal: "decimal(10,0)",
        dec: "decimal(10,0)",
        numeric: "decimal(10,0)",
    };
    return aliases[text] ?? text;
}

export type SchemaChange = "drop" | "rename" | "retype" | "reorder";

export interface SchemaChangeProblem {
    change: SchemaChange;
    /** The released column the change would lose or alter. */
    column: string;
    /** What would happen to it, in the provider's terms. */
    detail: string;
}

/**
 * What deploying `next` over a table whose columns are `previous` would do to the data in it.
 * The Databricks provider applies a column change to a `SqlTable` in place, it does not
 * replace the table: with as many columns as before it compares them position by position and
 * issues `ALTER TABLE … RENAME COLUMN` where a name differs, and refuses a changed type; with a
 * different count it issues `ALTER TABLE … DROP COLUMN` for every name no longer listed and
 * `ADD COLUMN … AFTER` for every new one. So a removed column's data is dropped, a column
 * removed and another added in one change is a rename, and reordering columns renames them.
 *
 * Refused: a drop not listed in `droppedOnPurpose`, a rename, a retype, and a change of the
 * order of the columns kept. Allowed: new columns, anywhere.
 */
export function schemaChangeProblems(previous: readonly ColumnShape[], next: readonly ColumnShape[], droppedOnPurpose: readonly string[] = []): SchemaChangeProblem[] {
    const problems: SchemaChangeProblem[] = [];
    const nextByName = new Map(next.map((c) => [c.name, c]));
    const retyped = (before: ColumnShape, after: ColumnShape) => {
        if (columnTypeKey(before.type) !== columnTypeKey(after.type)) {
            problems.push({ change: "retype", column: before.name, detail: `its type would change from ${before.type} to ${after.type}, which the provider refuses` });
        }
    };
    if (previous.length === next.length) {
        const previousNames = new Set(previous.map((c) => c.name));
        previous.forEach((before, i) => {
            const after = next[i];
            if (before.name === after.name) return retyped(before, after);
            const moved = nextByName.has(before.name);
            problems.push({
                change: moved ? "reorder" : "rename",
                column: before.name,
                detail: moved
                    ? `its position would be taken by ${after.name}: with as many columns as before, the provider renames ${before.name} to ${after.name} in place`
                    : previousNames.has(after.name)
                      ? `it would be renamed to ${after.name}`
                      : `it would be renamed to ${after.name} in place (a column removed and one added in the same change keep the count, so the provider renames)`,
            });
        });
        return problems;
    }
    for (const before of previous) {
        const after = nextByName.get(before.name);
        if (after) retyped(before, after);
        else if (!droppedOnPurpose.includes(before.name)) problems.push({ change: "drop", column: before.name, detail: "it would be dropped with its data (ALTER TABLE … DROP COLUMN)" });
    }
    const keptBefore = previous.filter((c) => nextByName.has(c.name)).map((c) => c.name);
    const keptAfter = next.filter((c) => keptBefore.includes(c.name)).map((c) => c.name);
    const firstMoved = keptBefore.findIndex((name, i) => keptAfter[i] !== name);
    if (firstMoved >= 0) {
        problems.push({
            change: "reorder",
            column: keptBefore[firstMoved],
            detail: `the columns kept would change order (${keptAfter.join(", ")}); the provider does not move columns, and the next change with an equal count would rename them by position`,
        });
    }
    return problems;
}

/** The documented way to make a refused schema change on purpose, quoted by every refusal. */
export const schemaChangeOnPurpose =
    "to drop a column on purpose, copy its data out and list it in the table definition's droppedColumns with the reason; " +
    "to rename or retype one, add a new column, backfill it, and drop the old one in a later change " +
    "(docs/pitfalls.md, Delta schema changes)";

/** The columns every released stack may hold, per table (`schema.table`), in table order. */
export type ReleasedSchemas = Record<string, ColumnShape[]>;

/**
 * The released schemas after the definitions ship: every table and column kept as it was
 * released (a dropped or retyped column stays, so the rule keeps judging against it), each new
 * column inserted after the column it follows in its definition, new tables added.
 */
export function releaseSchemas(current: ReleasedSchemas, definitions: readonly TableDefinition[] = tableDefinitions): ReleasedSchemas {
    const result: ReleasedSchemas = {};
    for (const [key, columns] of Object.entries(current)) result[key] = columns.map((c) => ({ ...c }));
    for (const definition of definitions) {
        const key = tableKey(definition);
        const columns = result[key] ?? [];
        definition.columns.forEach((column, i) => {
            if (columns.some((c) => c.name === column.name)) return;
            const before = definition.columns.slice(0, i).reverse().find((c) => columns.some((r) => r.name === c.name));
            const at = before ? columns.findIndex((c) => c.name === before.name) + 1 : 0;
            columns.splice(at, 0, { name: column.name, type: column.type });
        });
        result[key] = columns;
    }
    return Object.fromEntries(Object.entries(result).sort(([a], [b]) => a.localeCompare(b)));
}

/** A definition's own consistency about dropped columns. */
export function droppedColumnProblems(definition: TableDefinition): string[] {
    const names = new Set(definition.columns.map((c) => c.name));
    return (definition.droppedColumns ?? []).flatMap((d) => [
        ...(names.has(d.name) ? [`${tableKey(definition)}: ${d.name} is listed in droppedColumns and in columns; a column is either kept or dropped`] : []),
        ...(d.reason.trim() === "" ? [`${tableKey(definition)}: droppedColumns ${d.name} needs a reason`] : []),
    ]);
}
