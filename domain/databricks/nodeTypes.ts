/**
 * What Databricks on GCP runs the migration's compute on. Pure data and checks, no Pulumi
 * import: the config schema, the components and the tests read the same table.
 *
 * The seed asks for `Standard_A100_v5`, which is neither a GCP machine type nor a real Azure
 * one. On GCP, A100s come as `a2-highgpu-*` / `a2-megagpu-16g` (40 GB) and `a2-ultragpu-*`
 * (80 GB); Databricks requires GPU types for the driver as well as the workers.
 */
import type { A100Variant } from "../gcp/gpuQuota";

export interface A100NodeType {
    gpus: number;
    variant: A100Variant;
}

export const a100NodeTypes = {
    "a2-highgpu-1g": { gpus: 1, variant: "a100-40gb" },
    "a2-highgpu-2g": { gpus: 2, variant: "a100-40gb" },
    "a2-highgpu-4g": { gpus: 4, variant: "a100-40gb" },
    "a2-highgpu-8g": { gpus: 8, variant: "a100-40gb" },
    "a2-megagpu-16g": { gpus: 16, variant: "a100-40gb" },
    "a2-ultragpu-1g": { gpus: 1, variant: "a100-80gb" },
    "a2-ultragpu-2g": { gpus: 2, variant: "a100-80gb" },
    "a2-ultragpu-4g": { gpus: 4, variant: "a100-80gb" },
    "a2-ultragpu-8g": { gpus: 8, variant: "a100-80gb" },
} as const satisfies Record<string, A100NodeType>;

export type A100NodeTypeName = keyof typeof a100NodeTypes;

/** One A100 (40 GB) per node: the smallest step of capacity, and the cheapest spot worker. */
export const defaultA100NodeType: A100NodeTypeName = "a2-highgpu-1g";
export const a100NodeTypeNames = Object.keys(a100NodeTypes) as [A100NodeTypeName, ...A100NodeTypeName[]];

export function isA100NodeType(nodeType: string): nodeType is A100NodeTypeName {
    return Object.prototype.hasOwnProperty.call(a100NodeTypes, nodeType);
}

/**
 * Most workers this project lets a Databricks cluster autoscale to (the config's bound); the
 * workload distribution never sizes a cluster beyond it.
 */
export const maxDatabricksWorkers = 64;

/** Any GCP GPU machine family Databricks offers (A2, A3, G2); Photon runs on none of them. */
export const gpuNodeTypePattern = /^(a2|a3|g2)-[a-z]+-\d+g?$/;

/** CPU machine types Databricks on GCP offers for Photon data preparation. */
export const cpuNodeTypePattern = /^(n1|n2|n2d|c2|c2d|c3|c3d|n4|e2)-(standard|highmem|highcpu)-\d+$/;

/**
 * Databricks Runtime version keys. GPU ML runtimes are `<major>.<minor>.x-gpu-ml-scala2.1x`
 * (the plan's "ML Runtime 14.3" is `14.3.x-gpu-ml-scala2.12`); the CPU runtime that Photon
 * accelerates is the plain `<major>.<minor>.x-scala2.1x` with `runtimeEngine: PHOTON`.
 */
export const gpuMlRuntimePattern = /^\d{1,2}\.\d{1,2}\.x-gpu-ml-scala2\.1[23]$/;
export const cpuRuntimePattern = /^\d{1,2}\.\d{1,2}\.x-scala2\.1[23]$/;

/**
 * The oldest runtime for dedicated (single-user) access, which every cluster of the migration
 * uses: fine-grained access control on dedicated compute (reading views, row filters and column
 * masks of Unity Catalog tables) and dedicated access for a group need Databricks Runtime 15.4
 * LTS or later; on 14.3 a job that reads such a table fails at run time. The plan's 14.3 is
 * raised to 15.4 LTS.
 */
export const minDedicatedRuntime = { major: 15, minor: 4 } as const;

export const defaultGpuMlRuntime = "15.4.x-gpu-ml-scala2.12";
export const defaultCpuRuntime = "15.4.x-scala2.12";

/** The major and minor version of a runtime key such as `15.4.x-gpu-ml-scala2.12`, or undefined. */
export function runtimeVersion(sparkVersion: string): { major: number; minor: number } | undefined {
    const match = /^(\d{1,2})\.(\d{1,2})\.x-/.exec(sparkVersion);
    return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined;
}

/** Whether a runtime key is at least a version (unparseable keys are not). */
export function runtimeAtLeast(sparkVersion: string, minimum: { major: number; minor: number }): boolean {
    const version = runtimeVersion(sparkVersion);
    if (!version) return false;
    return version.major > minimum.major || (version.major === minimum.major && version.minor >= minimum.minor);
}

/** Whether a runtime key is at least the dedicated-access minimum. */
export function supportsDedicatedAccess(sparkVersion: string): boolean {
    return runtimeAtLeast(sparkVersion, minDedicatedRuntime);
}

export const minDedicatedRuntimeText = `${minDedicatedRuntime.major}.${minDedicatedRuntime.minor} LTS`;

/** SQL warehouse T-shirt sizes (serverless warehouses have no node types). */
export const warehouseSizes = ["2X-Small", "X-Small", "Small", "Medium", "Large", "X-Large", "2X-Large"] as const;
export type WarehouseSize = (typeof warehouseSizes)[number];
