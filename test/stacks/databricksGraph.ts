/** Shared reading of a Databricks phase graph for the phase 1 and phase 2 suites. */
import { GraphResource, ResourceGraph } from "../../tools/engine/graph";
import { byType } from "../harness";

/** Types that hold data or address it; lowering the phase must never delete one. */
export const statefulTypes = [
    "gcp:storage/bucket:Bucket",
    "gcp:bigquery/dataset:Dataset",
    "databricks:index/storageCredential:StorageCredential",
    "databricks:index/externalLocation:ExternalLocation",
    "databricks:index/catalog:Catalog",
    "databricks:index/schema:Schema",
    "databricks:index/volume:Volume",
    "databricks:index/sqlTable:SqlTable",
];

/** Account-level Databricks types: created through accounts.gcp.databricks.com. */
export const accountTypes = [
    "databricks:index/mwsNetworks:MwsNetworks",
    "databricks:index/mwsWorkspaces:MwsWorkspaces",
    "databricks:index/metastoreAssignment:MetastoreAssignment",
];

export const phaseOverride = (phase: number) => ({ "migration:phase": String(phase) });

export function providerRef(graph: ResourceGraph, name: string): string {
    const provider = graph.resources.find((r) => r.type === "pulumi:providers:databricks" && r.name === name);
    if (!provider) throw new Error(`no Databricks provider named ${name}`);
    return `${provider.urn}::${provider.id}`;
}

export function databricksResources(graph: ResourceGraph): GraphResource[] {
    return graph.resources.filter((r) => r.custom && r.type.startsWith("databricks:"));
}

export function job(graph: ResourceGraph, name: string): GraphResource {
    const found = byType(graph, "databricks:index/job:Job").find((j) => j.inputs.name === name);
    if (!found) throw new Error(`no job named ${name}`);
    return found;
}

export interface JobTask {
    taskKey: string;
    jobClusterKey?: string;
    dependsOns?: { taskKey: string }[];
    notebookTask: { notebookPath: string; warehouseId?: string };
    timeoutSeconds: number;
    maxRetries: number;
}

export interface JobCluster {
    jobClusterKey: string;
    newCluster: Record<string, unknown> & { customTags: Record<string, string>; runtimeEngine: string; nodeTypeId: string };
}
