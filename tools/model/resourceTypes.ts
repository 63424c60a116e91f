/**
 * The resource types the policies judge, by type token (what the engine sends an analyzer), and
 * the few properties each policy reads from them. Matching by token rather than by an SDK class
 * keeps the provider SDKs out of the pack: starting it type-checks only the pack's own code.
 * test/policies/resourceTypes.test.ts checks each token against its SDK class.
 */

export const resourceTypes = {
    gkeCluster: "gcp:container/cluster:Cluster",
    gkeNodePool: "gcp:container/nodePool:NodePool",
    computeInstance: "gcp:compute/instance:Instance",
    alertPolicy: "gcp:monitoring/alertPolicy:AlertPolicy",
    budget: "gcp:billing/budget:Budget",
    databricksCluster: "databricks:index/cluster:Cluster",
    databricksJob: "databricks:index/job:Job",
    sqlEndpoint: "databricks:index/sqlEndpoint:SqlEndpoint",
    clusterPolicy: "databricks:index/clusterPolicy:ClusterPolicy",
    sqlTable: "databricks:index/sqlTable:SqlTable",
    query: "databricks:index/query:Query",
    sqlQuery: "databricks:index/sqlQuery:SqlQuery",
    alert: "databricks:index/alert:Alert",
    sqlAlert: "databricks:index/sqlAlert:SqlAlert",
} as const;

export type ResourceType = (typeof resourceTypes)[keyof typeof resourceTypes];

/** Whether a resource (a policy's args or a stack's resource) is of one of the types. */
export function isType(resource: { type: string }, ...types: ResourceType[]): boolean {
    return (types as string[]).includes(resource.type);
}

/** A GKE node config, as far as the policies read it. */
export interface NodeConfigProps {
    machineType?: string;
    diskType?: string;
}

export interface GkeClusterProps {
    nodeConfig?: NodeConfigProps;
    privateClusterConfig?: { enablePrivateNodes?: boolean };
}

export interface GkeNodePoolProps {
    nodeConfig?: NodeConfigProps;
    networkConfig?: { enablePrivateNodes?: boolean };
}

export interface ComputeInstanceProps {
    machineType?: string;
    bootDisk?: { initializeParams?: { type?: string } };
}

export interface DatabricksClusterProps {
    autoterminationMinutes?: number;
}

export interface SqlEndpointProps {
    autoStopMins?: number;
}

export interface ClusterPolicyProps {
    definition?: string;
    policyFamilyDefinitionOverrides?: string;
}

export interface SqlTableProps {
    name?: string;
    schemaName?: string;
    tableType?: string;
    dataSourceFormat?: string;
    properties?: Record<string, string>;
    columns?: { name?: string; type?: string }[];
}
