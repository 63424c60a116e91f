/**
 * Resource types that hold data. A rollback must never delete them: the program keeps them
 * once created (see stacks/dataLayer.ts), they are protected, and the offline engine, the
 * policy pack and the reports all read this one list.
 */
export const statefulTypes: readonly string[] = [
    "gcp:storage/bucket:Bucket",
    "gcp:bigquery/dataset:Dataset",
    "gcp:bigquery/table:Table",
    // Deleting a metric descriptor deletes every time series written to it.
    "gcp:monitoring/metricDescriptor:MetricDescriptor",
    // A workspace keeps MLflow experiments and runs, notebooks' revisions and job history.
    "databricks:index/mwsWorkspaces:MwsWorkspaces",
    "databricks:index/catalog:Catalog",
    "databricks:index/schema:Schema",
    "databricks:index/externalLocation:ExternalLocation",
    "databricks:index/storageCredential:StorageCredential",
    "databricks:index/sqlTable:SqlTable",
    "databricks:index/volume:Volume",
    "databricks:index/registeredModel:RegisteredModel",
];

export function isStateful(type: string): boolean {
    return statefulTypes.includes(type);
}
