/**
 * Resource fixtures shaped like the provider SDKs' inputs: a compliant version of each kind
 * of resource the pack checks, which tests break one property at a time.
 */
import { apisOf, googleApiNames } from "../../domain/gcp/googleApis";
import { Fixture } from "./policyHarness";

export const labels = { team: "ml-platform", env: "dev", phase: "phase-1", workload: "training", "cost-center": "ml-infra" };

/** The seed's A100 cluster, translated: GPU ML runtime, dedicated access, spot workers with fallback. */
export function a100Cluster(overrides: Record<string, unknown> = {}): Fixture {
    return {
        type: "databricks:index/cluster:Cluster",
        name: "a100",
        props: {
            clusterName: "ml-a100",
            sparkVersion: "15.4.x-gpu-ml-scala2.12",
            nodeTypeId: "a2-highgpu-1g",
            autoscale: { minWorkers: 2, maxWorkers: 8 },
            autoterminationMinutes: 30,
            dataSecurityMode: "SINGLE_USER",
            singleUserName: "ml-platform@example.com",
            runtimeEngine: "STANDARD",
            gcpAttributes: { availability: "PREEMPTIBLE_WITH_FALLBACK_GCP", firstOnDemand: 1, zoneId: "HA" },
            sparkConf: { "spark.rapids.memory.gpu.allocFraction": "0.85" },
            customTags: labels,
            ...overrides,
        },
    };
}

/** The CPU data-prep cluster, where Photon belongs. */
export function dataPrepCluster(overrides: Record<string, unknown> = {}): Fixture {
    return {
        type: "databricks:index/cluster:Cluster",
        name: "data-prep",
        props: {
            clusterName: "ml-data-prep",
            sparkVersion: "15.4.x-scala2.12",
            nodeTypeId: "n2-highmem-8",
            runtimeEngine: "PHOTON",
            autoscale: { minWorkers: 1, maxWorkers: 4 },
            autoterminationMinutes: 20,
            dataSecurityMode: "USER_ISOLATION",
            gcpAttributes: { availability: "PREEMPTIBLE_WITH_FALLBACK_GCP", firstOnDemand: 1 },
            customTags: labels,
            ...overrides,
        },
    };
}

/** The service principal the fixture jobs run as. */
export const runAs = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a";

/** The `model_training` workflow: data_prep → training on job clusters, run as a service principal. */
export function trainingJob(trainingCluster: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Fixture {
    return {
        type: "databricks:index/job:Job",
        name: "model-training",
        props: {
            name: "model_training",
            runAs: { servicePrincipalName: runAs },
            schedule: { quartzCronExpression: "0 0 * * * ?", timezoneId: "UTC" },
            jobClusters: [
                {
                    jobClusterKey: "training",
                    newCluster: {
                        sparkVersion: "15.4.x-gpu-ml-scala2.12",
                        nodeTypeId: "a2-highgpu-1g",
                        autoscale: { minWorkers: 2, maxWorkers: 8 },
                        dataSecurityMode: "SINGLE_USER",
                        singleUserName: runAs,
                        policyId: "training-policy-id",
                        applyPolicyDefaultValues: true,
                        gcpAttributes: { availability: "PREEMPTIBLE_WITH_FALLBACK_GCP", firstOnDemand: 1 },
                        customTags: labels,
                        ...trainingCluster,
                    },
                },
            ],
            tasks: [
                { taskKey: "data_prep", notebookTask: { notebookPath: "/Shared/data_prep" }, jobClusterKey: "training" },
                {
                    taskKey: "training",
                    dependsOns: [{ taskKey: "data_prep" }],
                    notebookTask: { notebookPath: "/Shared/training", baseParameters: { gpu_memory_fraction: "0.85" } },
                    jobClusterKey: "training",
                },
            ],
            ...extra,
        },
    };
}

export function gpuPool(name: string, options: { spot: boolean; min?: number; max: number; autoscaling?: boolean }): Fixture {
    return {
        type: "gcp:container/nodePool:NodePool",
        name,
        props: {
            name,
            cluster: "ml-gke-id",
            location: "us-central1",
            nodeLocations: ["us-central1-a"],
            ...(options.autoscaling === false
                ? { nodeCount: options.max }
                : { autoscaling: { totalMinNodeCount: options.min ?? 0, totalMaxNodeCount: options.max, locationPolicy: "ANY" } }),
            nodeConfig: {
                machineType: "a3-highgpu-8g",
                spot: options.spot,
                guestAccelerators: [{ type: "nvidia-h100-80gb", count: 8 }],
                diskType: "pd-ssd",
                resourceLabels: labels,
            },
        },
        propertyDependencies: { cluster: ["ml-gke"] },
    };
}

export function gkeCluster(overrides: Record<string, unknown> = {}): Fixture {
    return {
        type: "gcp:container/cluster:Cluster",
        name: "ml-gke",
        props: {
            name: "ml-gke",
            location: "us-central1",
            privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: false, masterIpv4CidrBlock: "172.16.0.0/28" },
            clusterAutoscaling: { autoscalingProfile: "OPTIMIZE_UTILIZATION" },
            removeDefaultNodePool: true,
            initialNodeCount: 1,
            resourceLabels: { ...labels, workload: "platform" },
            ...overrides,
        },
    };
}

export function budget(units: string | number, overrides: Record<string, unknown> = {}): Fixture {
    return {
        type: "gcp:billing/budget:Budget",
        name: "cost-budget",
        props: {
            billingAccount: "01A2B3-C4D5E6-F7A8B9",
            budgetFilter: { projects: ["projects/123456789012"], calendarPeriod: "MONTH" },
            amount: { specifiedAmount: { currencyCode: "USD", units: String(units) } },
            thresholdRules: [{ thresholdPercent: 0.5 }, { thresholdPercent: 1 }],
            ...overrides,
        },
    };
}

export function gpuAlert(name: string, filter: string, threshold: number, comparison = "COMPARISON_LT", extra: Partial<Fixture> = {}): Fixture {
    return {
        type: "gcp:monitoring/alertPolicy:AlertPolicy",
        name,
        props: {
            displayName: `GPU utilisation ${name}`,
            combiner: "OR",
            conditions: [
                {
                    displayName: "GPU utilisation below floor",
                    conditionThreshold: { filter, comparison, thresholdValue: threshold, duration: "900s" },
                },
            ],
            userLabels: labels,
        },
        ...extra,
    };
}

export function deltaTable(properties: Record<string, string>, overrides: Record<string, unknown> = {}): Fixture {
    return {
        type: "databricks:index/sqlTable:SqlTable",
        name: "models",
        props: {
            catalogName: "ml",
            schemaName: "models",
            name: "models",
            tableType: "MANAGED",
            warehouseId: "warehouse-id",
            clusterKeys: ["model_id", "version"],
            columns: [{ name: "model_id", type: "string" }, { name: "version", type: "int" }],
            properties,
            ...overrides,
        },
        protect: true,
    };
}

/**
 * The fixtures of a stack with every Google API the program uses enabled, and each fixture of a
 * type that needs an API depending on its services, as the program builds it.
 */
export function withApis(fixtures: Fixture[]): Fixture[] {
    const serviceName = (api: string) => `apis-${api.split(".")[0]}`;
    const services: Fixture[] = googleApiNames.map((api) => ({
        type: "gcp:projects/service:Service",
        name: serviceName(api),
        props: { project: "acme-ml-dev", service: api, disableOnDestroy: false },
    }));
    const waiting = fixtures.map((f) => {
        const apis = apisOf(f.type);
        return apis ? { ...f, dependsOn: [...(f.dependsOn ?? []), ...apis.map(serviceName)] } : f;
    });
    return [...services, ...waiting];
}
