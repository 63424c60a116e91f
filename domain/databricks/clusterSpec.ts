/**
 * The cluster shapes the migration runs, as plain data shared by the all-purpose A100 cluster
 * and the jobs' clusters, with the seed's pitfalls checked in one place. No Pulumi import.
 *
 * - GPU: the GPU ML runtime, dedicated (single-user) access mode, no Photon (it does not run
 *   on GPU instances), the GPU memory fraction passed to the training runtime as environment.
 * - CPU data preparation: Photon (the seed's `photon_enabled`), on a CPU node type.
 * - Both: spot workers (`PREEMPTIBLE_WITH_FALLBACK_GCP`) with the driver on demand
 *   (`firstOnDemand` ≥ 1), so a preemption never takes the driver and its state.
 */
import { serviceAccountEmailPattern } from "../gcpNames";
import { costRules } from "../targets";
import {
    cpuNodeTypePattern,
    cpuRuntimePattern,
    defaultCpuRuntime,
    defaultGpuMlRuntime,
    gpuMlRuntimePattern,
    gpuNodeTypePattern,
    isA100NodeType,
    minDedicatedRuntimeText,
    supportsDedicatedAccess,
} from "./nodeTypes";

export type Availability = "PREEMPTIBLE_WITH_FALLBACK_GCP" | "PREEMPTIBLE_GCP" | "ON_DEMAND_GCP";

export interface ClusterSpec {
    sparkVersion: string;
    nodeTypeId: string;
    driverNodeTypeId: string;
    runtimeEngine: "STANDARD" | "PHOTON";
    /** `SINGLE_USER` is what the UI calls "dedicated" access mode. */
    dataSecurityMode: "SINGLE_USER" | "USER_ISOLATION";
    /** `googleServiceAccount`: the Google identity the cluster's VMs run as, for GCP APIs (BigQuery, Monitoring). */
    gcpAttributes: { availability: Availability; firstOnDemand: number; zoneId: string; googleServiceAccount?: string };
    sparkEnvVars: Record<string, string>;
    customTags: Record<string, string>;
}

/** Environment the training code reads its share of GPU memory from (PyTorch via our code, JAX natively). */
export const gpuMemoryEnvVars = ["GPU_MEMORY_FRACTION", "XLA_PYTHON_CLIENT_MEM_FRACTION"] as const;

export interface GpuClusterSettings {
    sparkVersion: string;
    nodeType: string;
    gpuMemoryFraction?: number;
    customTags: Record<string, string>;
    /** A Google service account (e-mail) the VMs run as, to write custom metrics; none by default. */
    googleServiceAccount?: string;
}

const spotWithOnDemandDriver = {
    availability: "PREEMPTIBLE_WITH_FALLBACK_GCP",
    firstOnDemand: 1,
} as const;

export function gpuClusterSpec(settings: GpuClusterSettings): ClusterSpec {
    const fraction = String(settings.gpuMemoryFraction ?? costRules.gpuMemoryUtilization);
    const spec: ClusterSpec = {
        sparkVersion: settings.sparkVersion,
        nodeTypeId: settings.nodeType,
        // Databricks requires a GPU driver for GPU compute: the same A100 type.
        driverNodeTypeId: settings.nodeType,
        runtimeEngine: "STANDARD",
        dataSecurityMode: "SINGLE_USER",
        // AUTO: one zone with capacity, not HA's spread across zones (A100s are scarce, and NCCL
        // traffic between zones is slow).
        gcpAttributes: {
            ...spotWithOnDemandDriver,
            zoneId: "AUTO",
            ...(settings.googleServiceAccount ? { googleServiceAccount: settings.googleServiceAccount } : {}),
        },
        sparkEnvVars: Object.fromEntries(gpuMemoryEnvVars.map((name) => [name, fraction])),
        customTags: settings.customTags,
    };
    assertSpec("GPU cluster", spec);
    return spec;
}

export interface CpuClusterSettings {
    sparkVersion: string;
    nodeType: string;
    customTags: Record<string, string>;
    /** A Google service account (e-mail) the VMs run as; without one they have no GCP identity of their own. */
    googleServiceAccount?: string;
}

export function photonClusterSpec(settings: CpuClusterSettings): ClusterSpec {
    const spec: ClusterSpec = {
        sparkVersion: settings.sparkVersion,
        nodeTypeId: settings.nodeType,
        driverNodeTypeId: settings.nodeType,
        runtimeEngine: "PHOTON",
        dataSecurityMode: "SINGLE_USER",
        gcpAttributes: {
            ...spotWithOnDemandDriver,
            zoneId: "HA",
            ...(settings.googleServiceAccount ? { googleServiceAccount: settings.googleServiceAccount } : {}),
        },
        sparkEnvVars: {},
        customTags: settings.customTags,
    };
    assertSpec("Photon cluster", spec);
    return spec;
}

/** Every way a spec breaks the rules above, as "field value: reason" sentences. */
export function clusterSpecProblems(spec: ClusterSpec): string[] {
    const problems: string[] = [];
    const gpu = gpuNodeTypePattern.test(spec.nodeTypeId);
    if (gpu && spec.runtimeEngine === "PHOTON") {
        problems.push(`runtimeEngine "PHOTON" on ${spec.nodeTypeId}: Photon does not run on GPU instances; use "STANDARD"`);
    }
    if (gpu && !gpuMlRuntimePattern.test(spec.sparkVersion)) {
        problems.push(`sparkVersion "${spec.sparkVersion}" on ${spec.nodeTypeId}: expected a GPU ML runtime such as ${defaultGpuMlRuntime}`);
    }
    if (gpu && spec.dataSecurityMode !== "SINGLE_USER") {
        problems.push(`dataSecurityMode "${spec.dataSecurityMode}" on ${spec.nodeTypeId}: the GPU ML runtime needs dedicated access ("SINGLE_USER")`);
    }
    if (gpu && !isA100NodeType(spec.nodeTypeId)) {
        problems.push(`nodeTypeId "${spec.nodeTypeId}": expected an A100 type (a2-highgpu-*, a2-megagpu-16g, a2-ultragpu-*)`);
    }
    if (gpu && !gpuNodeTypePattern.test(spec.driverNodeTypeId)) {
        problems.push(`driverNodeTypeId "${spec.driverNodeTypeId}": GPU compute needs a GPU driver type`);
    }
    if (!gpu && !cpuNodeTypePattern.test(spec.nodeTypeId)) {
        problems.push(`nodeTypeId "${spec.nodeTypeId}": expected an A100 type or a CPU type such as n2-highmem-8`);
    }
    if (!gpu && gpuMlRuntimePattern.test(spec.sparkVersion)) {
        problems.push(`sparkVersion "${spec.sparkVersion}" on ${spec.nodeTypeId}: a GPU runtime needs a GPU node type`);
    }
    if (!gpu && spec.runtimeEngine === "PHOTON" && !cpuRuntimePattern.test(spec.sparkVersion)) {
        problems.push(`sparkVersion "${spec.sparkVersion}": Photon runs the standard runtime, such as ${defaultCpuRuntime}`);
    }
    if (spec.dataSecurityMode === "SINGLE_USER" && (gpuMlRuntimePattern.test(spec.sparkVersion) || cpuRuntimePattern.test(spec.sparkVersion)) && !supportsDedicatedAccess(spec.sparkVersion)) {
        problems.push(
            `sparkVersion "${spec.sparkVersion}": dedicated access needs Databricks Runtime ${minDedicatedRuntimeText} or later (fine-grained access control on Unity Catalog data), such as ${gpuNodeTypePattern.test(spec.nodeTypeId) ? defaultGpuMlRuntime : defaultCpuRuntime}`,
        );
    }
    const account = spec.gcpAttributes.googleServiceAccount;
    if (account !== undefined && !serviceAccountEmailPattern.test(account)) {
        problems.push(`gcpAttributes.googleServiceAccount ${JSON.stringify(account)}: expected a service account e-mail such as ml-cost-tracking@acme-ml-prod.iam.gserviceaccount.com`);
    }
    if (spec.gcpAttributes.firstOnDemand < 1) {
        problems.push(`gcpAttributes.firstOnDemand ${spec.gcpAttributes.firstOnDemand}: expected at least 1, so the driver is on demand`);
    }
    return problems;
}

function assertSpec(what: string, spec: ClusterSpec): void {
    const problems = clusterSpecProblems(spec);
    if (problems.length > 0) throw new Error(`${what}: ${problems.join("; ")}`);
}
