/**
 * Hand-built resource graphs for in-process tests (diff, analyzer, step estimates): a resource
 * is its type, name and inputs, with any other field of the graph given as an option.
 */
import { GraphResource, ResourceGraph } from "../tools/model/graph";

export function urnOf(type: string, name: string): string {
    return `urn:pulumi:dev::proj::${type}::${name}`;
}

export function resource(type: string, name: string, inputs: Record<string, unknown> = {}, options: Partial<GraphResource> = {}): GraphResource {
    return {
        urn: urnOf(type, name),
        type,
        name,
        custom: true,
        inputs,
        outputs: {},
        protect: false,
        retainOnDelete: false,
        dependencies: [],
        propertyDependencies: {},
        ignoreChanges: [],
        ...options,
    };
}

export function graph(...resources: GraphResource[]): ResourceGraph {
    return { project: "proj", stack: "dev", resources, outputs: {} };
}

export const nodePoolType = "gcp:container/nodePool:NodePool";
export const sqlTableType = "databricks:index/sqlTable:SqlTable";
export const jobType = "databricks:index/job:Job";
export const bucketType = "gcp:storage/bucket:Bucket";
