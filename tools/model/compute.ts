/**
 * What the cost and pitfall policies need to know about compute: which GCP machine types carry
 * GPUs and how many, how large a GKE pool can grow, and where Databricks cluster specs sit
 * (an all-purpose cluster, or the new clusters of a job and its tasks).
 */
import { gpusOfMachineType, isGpuMachineType } from "../../domain/gcp/machineTypes";
import { asNumber, isUnknown, known, Unknown } from "./values";

export { gpusOfMachineType, isGpuMachineType };

interface NodeConfigLike {
    machineType?: unknown;
    guestAccelerators?: unknown;
    spot?: unknown;
    preemptible?: unknown;
}

/** GPUs per node of a GKE node config: its accelerators, else what the machine type implies. */
export function gpusPerNode(nodeConfig: NodeConfigLike | undefined): number | Unknown | undefined {
    if (!nodeConfig) return undefined;
    const accelerators = nodeConfig.guestAccelerators;
    if (isUnknown(accelerators)) return accelerators;
    if (Array.isArray(accelerators) && accelerators.length > 0) {
        let total = 0;
        for (const accelerator of accelerators) {
            const n = known(accelerator as Record<string, unknown> | Unknown)?.count;
            if (isUnknown(n)) return n;
            total += asNumber(n) ?? 0;
        }
        if (total > 0) return total;
    }
    const machineType = nodeConfig.machineType;
    if (isUnknown(machineType)) return machineType;
    return typeof machineType === "string" && isGpuMachineType(machineType) ? gpusOfMachineType(machineType) : undefined;
}

export function isSpotNodeConfig(nodeConfig: NodeConfigLike): boolean | Unknown {
    if (isUnknown(nodeConfig.spot) || isUnknown(nodeConfig.preemptible)) return nodeConfig.spot as Unknown;
    return nodeConfig.spot === true || nodeConfig.preemptible === true;
}

interface NodePoolLike {
    autoscaling?: unknown;
    nodeCount?: unknown;
    initialNodeCount?: unknown;
    nodeLocations?: unknown;
    location?: unknown;
}

/** The zones a regional node pool runs in when it lists none: its cluster's, three for a regional cluster that names none. */
export const regionalDefaultZones = 3;

export interface PoolZones {
    count: number;
    /** True when the count is the regional default rather than read from the pool. */
    assumed: boolean;
}

/**
 * How many zones a node pool's per-zone counts (`nodeCount`, `min/maxNodeCount`) apply to, the
 * one zone rule of the pack and the cost model: its `nodeLocations` when listed; else one for a
 * zonal location (`us-central1-a`); else (a region, or no location) the regional default.
 */
export function poolZones(pool: NodePoolLike): PoolZones | Unknown {
    if (isUnknown(pool.nodeLocations)) return pool.nodeLocations;
    if (Array.isArray(pool.nodeLocations) && pool.nodeLocations.length > 0) return { count: pool.nodeLocations.length, assumed: false };
    if (isUnknown(pool.location)) return pool.location;
    if (typeof pool.location === "string" && /-[a-z]$/.test(pool.location)) return { count: 1, assumed: false };
    return { count: regionalDefaultZones, assumed: true };
}

export interface PoolBounds {
    min: number;
    max: number;
    autoscaled: boolean;
    /** How the bounds were read, for reports: "total autoscaling bounds", "per-zone bounds × 3 zone(s)"… */
    how: string;
    /** Set when the zone count is the regional default (`poolZones`). */
    zonesAssumed: boolean;
}

/**
 * A node pool's bounds across all its zones. `total*` counts are pool-wide; the per-zone
 * `min/maxNodeCount` and a fixed `nodeCount` are multiplied by the pool's zones (`poolZones`).
 * A pool with neither autoscaling bounds nor a node count counts one node per zone.
 */
export function poolBounds(pool: NodePoolLike): PoolBounds | Unknown {
    const autoscaling = pool.autoscaling;
    if (isUnknown(autoscaling)) return autoscaling;
    const a = autoscaling && typeof autoscaling === "object" ? (autoscaling as Record<string, unknown>) : {};
    const unknownField = [a.totalMinNodeCount, a.totalMaxNodeCount, a.minNodeCount, a.maxNodeCount].find(isUnknown);
    if (unknownField !== undefined) return unknownField as Unknown;
    const totalMax = asNumber(a.totalMaxNodeCount);
    if (totalMax !== undefined) {
        return { min: asNumber(a.totalMinNodeCount) ?? 0, max: totalMax, autoscaled: true, how: "total autoscaling bounds", zonesAssumed: false };
    }
    const zones = poolZones(pool);
    if (isUnknown(zones)) return zones;
    const perZones = `× ${zones.count} zone(s)`;
    const perZoneMax = asNumber(a.maxNodeCount);
    if (perZoneMax !== undefined) {
        const min = (asNumber(a.minNodeCount) ?? 0) * zones.count;
        return { min, max: perZoneMax * zones.count, autoscaled: true, how: `per-zone bounds ${perZones}`, zonesAssumed: zones.assumed };
    }
    const fixed = pool.nodeCount ?? pool.initialNodeCount;
    if (isUnknown(fixed)) return fixed;
    const nodes = (asNumber(fixed) ?? 1) * zones.count;
    return { min: nodes, max: nodes, autoscaled: false, how: `fixed node count ${perZones}`, zonesAssumed: zones.assumed };
}

/** Databricks node types with GPUs: GCP accelerator families, AWS p/g families, Azure N-series. */
const databricksGpuNodePattern = /^(a2|a3|a4|g2|g4)-|^(p3|p4d|p4de|p5|g4dn|g5|g6|g6e)\.|^Standard_N/;

export function isGpuNodeType(nodeTypeId: unknown): boolean {
    return typeof nodeTypeId === "string" && databricksGpuNodePattern.test(nodeTypeId);
}

/** Runtimes built for GPUs: `15.4.x-gpu-ml-scala2.12` and the like. */
export function isGpuRuntime(sparkVersion: unknown): boolean {
    return typeof sparkVersion === "string" && /-gpu-/.test(sparkVersion);
}

/** The fields of a Databricks cluster spec the policies read (all-purpose or a job's new cluster). */
export interface ClusterSpec {
    sparkVersion?: unknown;
    nodeTypeId?: unknown;
    driverNodeTypeId?: unknown;
    numWorkers?: unknown;
    autoscale?: unknown;
    autoterminationMinutes?: unknown;
    gcpAttributes?: unknown;
    instancePoolId?: unknown;
    driverInstancePoolId?: unknown;
    runtimeEngine?: unknown;
    dataSecurityMode?: unknown;
    useMlRuntime?: unknown;
    sparkConf?: unknown;
    sparkEnvVars?: unknown;
    isSingleNode?: unknown;
    customTags?: unknown;
    singleUserName?: unknown;
    policyId?: unknown;
    applyPolicyDefaultValues?: unknown;
}

export interface LocatedSpec {
    /** Where the spec sits in the resource, e.g. `jobClusters[training].newCluster`; "" for a cluster. */
    path: string;
    spec: ClusterSpec;
}

/** The cluster specs of a Databricks Cluster or Job, skipping any that are unknown. */
export function clusterSpecs(type: string, props: Record<string, unknown>): LocatedSpec[] {
    if (type === "databricks:index/cluster:Cluster") return [{ path: "", spec: props as ClusterSpec }];
    if (type !== "databricks:index/job:Job") return [];
    const specs: LocatedSpec[] = [];
    const add = (path: string, spec: unknown) => {
        if (spec && typeof spec === "object" && !isUnknown(spec)) specs.push({ path, spec: spec as ClusterSpec });
    };
    add("newCluster", props.newCluster);
    const list = (value: unknown) => (Array.isArray(value) ? (value as unknown[]) : []);
    list(props.jobClusters).forEach((jc, i) => {
        const c = known(jc as Record<string, unknown> | Unknown);
        if (!c) return;
        const key = typeof c.jobClusterKey === "string" ? c.jobClusterKey : String(i);
        add(`jobClusters[${key}].newCluster`, c.newCluster);
    });
    list(props.tasks).forEach((t, i) => {
        const task = known(t as Record<string, unknown> | Unknown);
        if (!task) return;
        const key = typeof task.taskKey === "string" ? task.taskKey : String(i);
        add(`tasks[${key}].newCluster`, task.newCluster);
        const inner = known(known(task.forEachTask as Record<string, unknown> | Unknown)?.task as Record<string, unknown> | Unknown);
        if (inner) add(`tasks[${key}].forEachTask.task.newCluster`, inner.newCluster);
    });
    return specs;
}

export function at(path: string, field: string): string {
    return path ? `${path}.${field}` : field;
}

export interface WorkerBounds {
    min: number;
    max: number;
}

/** Worker bounds of a cluster spec; undefined when unknown. Single-node clusters have none. */
export function workerBounds(spec: ClusterSpec): WorkerBounds | Unknown | undefined {
    if (isUnknown(spec.autoscale)) return spec.autoscale;
    const autoscale = spec.autoscale as Record<string, unknown> | undefined;
    if (autoscale && typeof autoscale === "object") {
        if (isUnknown(autoscale.minWorkers) || isUnknown(autoscale.maxWorkers)) return unknownOf(autoscale.maxWorkers, autoscale.minWorkers);
        const max = asNumber(autoscale.maxWorkers);
        const min = asNumber(autoscale.minWorkers) ?? 0;
        if (max !== undefined) return { min, max };
    }
    if (isUnknown(spec.numWorkers)) return spec.numWorkers;
    const n = asNumber(spec.numWorkers) ?? 0;
    return { min: n, max: n };
}

function unknownOf(...values: unknown[]): Unknown {
    return values.find(isUnknown) as Unknown;
}
