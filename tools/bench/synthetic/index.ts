/**
 * N copies of the hybrid workload built from the project's own components: per copy a VPC,
 * a private GKE cluster with H100 spot/on-demand and C4A pools, an A100 cluster with its
 * policy, a SQL warehouse, the Delta tables and the model_training and maintenance jobs.
 * Only for `npm run bench`: it measures the offline engine, it is never deployed.
 */
import * as databricks from "@pulumi/databricks";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { accessControls, WorkspaceRoles } from "../../../domain/databricks/access";
import { A100Cluster } from "../../../components/databricks/a100Cluster";
import { gpuClusterSpec, photonClusterSpec } from "../../../domain/databricks/clusterSpec";
import { DeltaTable } from "../../../components/databricks/deltaTable";
import { NotebookJob } from "../../../components/databricks/notebookJob";
import { SqlWarehouse } from "../../../components/databricks/sqlWarehouse";
import { costMetricsTable, modelsTable, trainingExamplesTable, trainingFeaturesTable } from "../../../domain/databricks/tableDefinitions";
import { ArmNodePool } from "../../../components/gcp/armNodePool";
import { GkeCluster } from "../../../components/gcp/gkeCluster";
import { GpuNodePool } from "../../../components/gcp/gpuNodePool";
import { Network, podsRangeName, servicesRangeName } from "../../../components/gcp/network";
import { splitBySpotShare } from "../../../domain/gcp/spotSplit";
import { resourceLabels } from "../../../domain/labels";

const copies = new pulumi.Config().getNumber("copies") ?? 10;
const labels = (workload: Parameters<typeof resourceLabels>[2]) =>
    resourceLabels({ team: "ml-platform", env: "bench", costCenter: "ml-infra" }, 3, workload);

const gcpProvider = new gcp.Provider("gcp", { project: "acme-ml-bench", region: "us-central1" });
const workspace = new databricks.Provider("workspace", { host: "https://bench.gcp.databricks.com" });
const onGcp = { providers: [gcpProvider] };
const roles: WorkspaceRoles = {
    clusterUser: "ml-engineer@example.com",
    jobsRunAs: "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
    operators: ["ml-platform"],
    viewers: [],
};
const jobIdentity = { runAs: roles.jobsRunAs, access: accessControls("job", roles), clusterPolicyAccess: accessControls("jobClusterPolicy", roles) };
const inWorkspace = { providers: [workspace] };

for (let i = 0; i < copies; i++) {
    const network = new Network(`net-${i}`, {
        region: "us-central1",
        subnetCidr: `10.${i}.0.0/20`,
        podsCidr: `10.${100 + i}.0.0/16`,
        servicesCidr: `10.${200 + i}.0.0/20`,
    }, onGcp);
    const gke = new GkeCluster(`gke-${i}`, {
        project: "acme-ml-bench",
        region: "us-central1",
        networkId: network.network.id,
        subnetId: network.subnet.id,
        podsRangeName,
        servicesRangeName,
        masterCidr: `172.16.${i}.0/28`,
        masterAuthorizedCidrs: [],
        releaseChannel: "STABLE",
        autoscalingProfile: "OPTIMIZE_UTILIZATION",
        deletionProtection: true,
        labels: labels("platform"),
    }, onGcp);
    const split = splitBySpotShare({ min: 2, max: 4 }, 0.6);
    for (const [capacity, bounds] of [["spot", split.spot], ["on-demand", split.onDemand]] as const) {
        new GpuNodePool(`h100-${capacity}-${i}`, {
            cluster: gke.cluster.id,
            location: "us-central1",
            nodeLocations: ["us-central1-a"],
            machineType: "a3-highgpu-8g",
            accelerator: { type: "nvidia-h100-80gb", count: 8 },
            gpuDriverVersion: "LATEST",
            spot: capacity === "spot",
            minNodes: bounds.min,
            maxNodes: bounds.max,
            diskType: "pd-ssd",
            diskSizeGb: 200,
            serviceAccount: gke.nodeServiceAccount.email,
            compactPlacement: false,
            labels: labels("training"),
        }, onGcp);
    }
    new ArmNodePool(`c4a-${i}`, {
        cluster: gke.cluster.id,
        location: "us-central1",
        machineType: "c4a-standard-16",
        minNodes: 2,
        maxNodes: 8,
        diskType: "hyperdisk-balanced",
        diskSizeGb: 100,
        spot: false,
        serviceAccount: gke.nodeServiceAccount.email,
        labels: labels("data-processing"),
    }, onGcp);

    new A100Cluster(`a100-${i}`, {
        clusterName: `a100-training-${i}`,
        policyName: `a100-training-${i}`,
        sparkVersion: "15.4.x-gpu-ml-scala2.12",
        nodeType: "a2-highgpu-1g",
        minWorkers: 2,
        maxWorkers: 32,
        autoterminationMinutes: 30,
        gpuMemoryFraction: 0.85,
        singleUserName: roles.clusterUser,
        customTags: labels("training"),
        access: { cluster: accessControls("a100Cluster", roles), policy: accessControls("a100Policy", roles) },
    }, inWorkspace);
    const warehouse = new SqlWarehouse(`sql-${i}`, {
        warehouseName: `ml-sql-${i}`,
        clusterSize: "2X-Small",
        autoStopMinutes: 10,
        maxClusters: 1,
        tags: labels("data-processing"),
        access: accessControls("warehouse", roles),
    }, inWorkspace);
    for (const definition of [modelsTable, costMetricsTable, trainingExamplesTable, trainingFeaturesTable]) {
        new DeltaTable(`${definition.name}-${i}`, { catalog: `ml_bench_${i}`, schema: definition.schema, definition, warehouseId: warehouse.warehouseId }, inWorkspace);
    }
    new NotebookJob(`model-training-${i}`, {
        jobName: `model_training_${i}`,
        description: "hourly data_prep → training",
        jobClusters: {
            data_prep: {
                spec: photonClusterSpec({ sparkVersion: "15.4.x-scala2.12", nodeType: "n2-highmem-8", customTags: labels("data-processing") }),
                autoscale: { minWorkers: 1, maxWorkers: 24 },
            },
            training: {
                spec: gpuClusterSpec({ sparkVersion: "15.4.x-gpu-ml-scala2.12", nodeType: "a2-highgpu-1g", customTags: labels("training") }),
                autoscale: { minWorkers: 2, maxWorkers: 32 },
            },
        },
        tasks: [
            { key: "data_prep", description: "prepare", notebookPath: "/Shared/data_prep", jobCluster: "data_prep", timeoutSeconds: 1200, maxRetries: 2 },
            { key: "training", description: "train", notebookPath: "/Shared/training", dependsOn: ["data_prep"], jobCluster: "training", timeoutSeconds: 2100, maxRetries: 1 },
        ],
        schedule: { quartzCronExpression: "0 0 * * * ?", timezoneId: "UTC", paused: false },
        failureEmails: ["ml-platform-alerts@example.com"],
        timeoutSeconds: 3300,
        tags: labels("training"),
        ...jobIdentity,
    }, inWorkspace);
    new NotebookJob(`maintenance-${i}`, {
        jobName: `delta_maintenance_${i}`,
        description: "OPTIMIZE and VACUUM",
        tasks: [{ key: "maintenance", description: "maintain", notebookPath: "/Shared/maintenance", warehouseId: warehouse.warehouseId, timeoutSeconds: 7200, maxRetries: 1 }],
        schedule: { quartzCronExpression: "0 0 3 * * ?", timezoneId: "UTC", paused: false },
        failureEmails: ["ml-platform-alerts@example.com"],
        timeoutSeconds: 7200,
        tags: labels("storage"),
        ...jobIdentity,
    }, inWorkspace);
}
