/**
 * What Databricks on GCP runs the migration's compute on. Pure data and checks, no Pulumi
 * import: the config schema, the components and the tests read the same table.
 *
 * The seed asks for `Standard_A100_v5`, which is neither a GCP machine type nor a real Azure
 * one. On GCP, A100s come as `a2-highgpu-*` / `a2-megagpu-16g` (40 GB) and `a2-ultragpu-*`
 * (80 GB); Databricks requires GPU types for the driver as well as the workers.
 */
import type { A100Variant } from "../gcp/gpuQuotaRequest";

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
 * (the seed's "ML Runtime 14.3" is `14.3.x-gpu-ml-scala2.12`); the CPU runtime that Photon
 * accelerates is the plain `<major>.<minor>.x-scala2.1x` with `runtimeEngine: PHOTON`.
 */
export const gpuMlRuntimePattern = /^\d{1,2}\.\d{1,2}\.x-gpu-ml-scala2\.1[23]$/;
export const cpuRuntimePattern = /^\d{1,2}\.\d{1,2}\.x-scala2\.1[23]$/;

export const defaultGpuMlRuntime = "14.3.x-gpu-ml-scala2.12";
export const defaultCpuRuntime = "14.3.x-scala2.12";

/** SQL warehouse T-shirt sizes (serverless warehouses have no node types). */
export const warehouseSizes = ["2X-Small", "X-Small", "Small", "Medium", "Large", "X-Large", "2X-Large"] as const;
export type WarehouseSize = (typeof warehouseSizes)[number];
