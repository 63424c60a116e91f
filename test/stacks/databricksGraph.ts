/** Shared reading of a Databricks phase graph for the phase 1 and phase 2 suites. */
import { expect } from "vitest";
import { a100NodeTypes, isA100NodeType } from "../../domain/databricks/nodeTypes";
import { GraphResource, ResourceGraph } from "../../tools/model/graph";
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

/** The run-as service principal each stack's config names. */
export const jobsRunAs: Record<string, string> = {
    dev: "2b7e4c1d-9a3f-4e8b-b6d5-0c1f2a3e4d5c",
    prod: "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
};

/**
 * Every job runs as the service principal, and each of its clusters runs under a policy of its
 * own (with the policy's defaults applied) that fixes the cluster to job use by that same
 * principal. Returns the jobs checked.
 */
export function expectJobsRunAs(graph: ResourceGraph, runAs: string): GraphResource[] {
    const jobs = byType(graph, "databricks:index/job:Job");
    const policies = byType(graph, "databricks:index/clusterPolicy:ClusterPolicy");
    for (const j of jobs) {
        expect(j.inputs.runAs, j.urn).toEqual({ servicePrincipalName: runAs });
        for (const c of (j.inputs.jobClusters ?? []) as JobCluster[]) {
            expect(c.newCluster, `${j.urn} ${c.jobClusterKey}`).toMatchObject({ singleUserName: runAs, applyPolicyDefaultValues: true });
            const policy = policies.find((p) => p.id === c.newCluster.policyId);
            expect(policy, `${j.urn} ${c.jobClusterKey} policy`).toBeDefined();
            expect(JSON.parse(policy!.inputs.definition as string)).toMatchObject({
                cluster_type: { type: "fixed", value: "job" },
                single_user_name: { type: "fixed", value: runAs },
            });
        }
    }
    return jobs;
}

/**
 * The A100 GPUs the graph's clusters hold at once, each at its largest: one driver on demand
 * and its workers preemptible, for the all-purpose clusters and every job cluster on an A100
 * node type (each job runs one run at a time).
 */
export function graphA100Demand(graph: ResourceGraph): { onDemandGpus: number; preemptibleGpus: number; clusters: number } {
    const specs: Record<string, unknown>[] = [
        ...byType(graph, "databricks:index/cluster:Cluster").map((c) => c.inputs),
        ...byType(graph, "databricks:index/job:Job").flatMap((j) => ((j.inputs.jobClusters ?? []) as JobCluster[]).map((c) => c.newCluster)),
    ];
    let onDemandGpus = 0;
    let preemptibleGpus = 0;
    let clusters = 0;
    for (const spec of specs) {
        const nodeType = spec.nodeTypeId as string;
        if (!isA100NodeType(nodeType)) continue;
        const gpus = a100NodeTypes[nodeType].gpus;
        const workers = (spec.autoscale as { maxWorkers: number } | undefined)?.maxWorkers ?? (spec.numWorkers as number);
        clusters++;
        onDemandGpus += gpus;
        preemptibleGpus += workers * gpus;
    }
    return { onDemandGpus, preemptibleGpus, clusters };
}
