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

export interface TableDefinition {
    schema: string;
    name: string;
    comment: string;
    columns: TableColumn[];
    /** Liquid clustering keys (at most four), the modern replacement for the seed's ZORDER. */
    clusterKeys: string[];
    properties: Record<string, string>;
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
        { name: "category", type: "STRING", comment: "training_throughput or inference_latency", nullable: false },
        { name: "benchmark", type: "STRING", comment: "small_batch, large_batch, distributed, single_request, batch_request, streaming", nullable: false },
        { name: "metric", type: "STRING", comment: "What was measured, such as samples_per_second", nullable: false },
        { name: "value", type: "DOUBLE", comment: "Measured value" },
        { name: "unit", type: "STRING", comment: "Unit of value" },
        { name: "baseline_value", type: "DOUBLE", comment: "Latest GCP value of the same metric" },
        { name: "ratio", type: "DOUBLE", comment: "value / baseline_value" },
        { name: "gate", type: "STRING", comment: "Success gate the ratio is held to" },
        { name: "passed", type: "BOOLEAN", comment: "Whether the ratio meets the gate" },
        { name: "node_type", type: "STRING", comment: "Instance type measured" },
        { name: "workers", type: "INT", comment: "Worker count measured" },
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
