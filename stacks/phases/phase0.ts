/**
 * Phase 0, pre-transition: today's GCP setup as code — the project's APIs (enabled by the
 * context), the network, the private GKE cluster with its H100 (on-demand + spot) and C4A pools,
 * cost monitoring, the GPU quota requests (the A100s of every cluster that can run at once,
 * and the all-regions ceiling) that the Databricks setup of phase 1 waits for, and the GCP
 * performance baseline on the H100 pool that every promotion gate is measured against.
 */
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import { customMetricPrefix } from "../../domain/customMetrics";
import { PerformanceBaseline } from "../../components/gcp/performanceBaseline";
import { ArmNodePool } from "../../components/gcp/armNodePool";
import { CostMonitoring } from "../../components/gcp/costMonitoring";
import { GkeCluster } from "../../components/gcp/gkeCluster";
import { GpuNodePool } from "../../components/gcp/gpuNodePool";
import { GpuQuotaRequest } from "../../components/gcp/gpuQuotaRequest";
import { Network, podsRangeName, servicesRangeName } from "../../components/gcp/network";
import { splitBySpotShare } from "../../domain/gcp/spotSplit";
import { h100MachineTypes } from "../../domain/configSchema";
import { requestedAllRegionsGpus } from "../../domain/databricksConfig";
import { hybridPhase } from "../../domain/hybridConfig";
import { PhaseContext } from "./context";
import { librarySources } from "./library";

export interface Phase0 {
    network: Network;
    gke: GkeCluster;
    h100: { onDemand?: GpuNodePool; spot?: GpuNodePool };
    c4a: ArmNodePool;
    costMonitoring: CostMonitoring;
    a100Quota: GpuQuotaRequest;
    /** The program's Kubernetes provider for the GKE cluster. */
    kubernetes: k8s.Provider;
    performanceBaseline: PerformanceBaseline;
}

/** Where the baseline's result files go: `gs://<bucket>/<prefix>/`. */
export const baselineResultsPrefix = "runs";

export function phase0(ctx: PhaseContext): Phase0 {
    const { config } = ctx;
    const phase = 0;

    const network = new Network(
        "ml",
        {
            region: config.region,
            subnetCidr: config.network.subnetCidr,
            podsCidr: config.network.podsCidr,
            servicesCidr: config.network.servicesCidr,
        },
        ctx.gcpOptions(),
    );

    const gke = new GkeCluster(
        "ml-gke",
        {
            project: config.gcpProject,
            region: config.region,
            networkId: network.network.id,
            subnetId: network.subnet.id,
            podsRangeName,
            servicesRangeName,
            masterCidr: config.network.masterCidr,
            masterAuthorizedCidrs: config.gke.masterAuthorizedCidrs,
            releaseChannel: config.gke.releaseChannel,
            autoscalingProfile: config.gke.autoscalingProfile,
            deletionProtection: config.gke.deletionProtection,
            labels: ctx.labels(phase, "platform"),
        },
        ctx.gcpOptions({ dependsOn: [network.nat] }),
    );

    const h100Type = h100MachineTypes[config.h100.machineType];
    // Phase 3's workload distribution resizes the pools (ctx.capacity); earlier phases keep the configured sizes.
    const split = splitBySpotShare(ctx.capacity.h100Nodes, config.h100.spotShare);
    const h100Pool = (capacity: "spot" | "on-demand", bounds: { min: number; max: number }) =>
        new GpuNodePool(
            `h100-${capacity}`,
            {
                cluster: gke.cluster.id,
                location: config.region,
                nodeLocations: config.gpuZones,
                machineType: config.h100.machineType,
                accelerator: { type: h100Type.accelerator, count: h100Type.count },
                gpuDriverVersion: config.h100.gpuDriverVersion,
                spot: capacity === "spot",
                minNodes: bounds.min,
                maxNodes: bounds.max,
                diskType: config.h100.diskType,
                diskSizeGb: config.h100.diskSizeGb,
                serviceAccount: gke.nodeServiceAccount.email,
                compactPlacement: config.h100.compactPlacement,
                reservation: capacity === "on-demand" ? config.h100.reservation : undefined,
                labels: ctx.labels(phase, "training"),
            },
            ctx.gcpOptions(),
        );
    // A side with no capacity gets no pool: GKE rejects an autoscaling maximum of zero.
    const h100 = {
        ...(split.onDemand.max > 0 ? { onDemand: h100Pool("on-demand", split.onDemand) } : {}),
        ...(split.spot.max > 0 ? { spot: h100Pool("spot", split.spot) } : {}),
    };

    const c4a = new ArmNodePool(
        "c4a-data",
        {
            cluster: gke.cluster.id,
            location: config.region,
            machineType: config.c4a.machineType,
            minNodes: ctx.capacity.c4aNodes.min,
            maxNodes: ctx.capacity.c4aNodes.max,
            diskType: config.c4a.diskType,
            diskSizeGb: config.c4a.diskSizeGb,
            spot: config.c4a.spot,
            serviceAccount: gke.nodeServiceAccount.email,
            labels: ctx.labels(phase, "data-processing"),
        },
        ctx.gcpOptions(),
    );

    const project = gcp.organizations.getProjectOutput(
        { projectId: config.gcpProject },
        { provider: ctx.providers.gcp, dependsOn: ctx.apis.servicesForFunction("gcp:organizations/getProject:getProject") },
    );
    const costMonitoring = new CostMonitoring(
        "cost",
        {
            project: config.gcpProject,
            projectNumber: project.number,
            billingAccount: config.costMonitoring.billingAccount,
            dailyCostAlertUsd: config.costMonitoring.dailyCostAlertUsd,
            budgetAlertThresholds: config.costMonitoring.budgetAlertThresholds,
            billingExportLocation: config.costMonitoring.billingExportLocation,
            notificationEmails: config.costMonitoring.notificationEmails,
            labels: ctx.labels(phase, "cost-monitoring"),
        },
        ctx.gcpOptions(),
    );

    const a100Quota = new GpuQuotaRequest(
        "a100-quota",
        {
            project: config.gcpProject,
            region: config.a100Quota.region ?? config.region,
            variant: config.a100Quota.variant,
            gpus: config.a100Quota.gpus,
            preemptibleGpus: config.a100Quota.preemptibleGpus,
            allRegionsGpus: requestedAllRegionsGpus(config),
            contactEmail: config.quota.contactEmail,
        },
        ctx.gcpOptions(),
    );

    // Built from the cluster's outputs: unknown until the cluster exists, so a preview of a new
    // stack plans the Kubernetes resources without contacting a cluster.
    const kubernetes = new k8s.Provider("ml-gke", { kubeconfig: gke.kubeconfig(config.gke.kubernetesEndpoint) });
    const performanceBaseline = new PerformanceBaseline(
        "performance-baseline",
        {
            project: config.gcpProject,
            region: config.region,
            bucketName: config.performanceBaseline.bucketName ?? `${config.gcpProject}-performance-baseline`,
            resultsPrefix: baselineResultsPrefix,
            namespace: "ml-benchmarks",
            cluster: gke.cluster,
            accountId: "ml-perf-baseline",
            image: config.performanceBaseline.image,
            schedule: config.performanceBaseline.schedule,
            suspend: config.performanceBaseline.suspend,
            machineType: config.h100.machineType,
            accelerator: h100Type.accelerator,
            gpus: h100Type.count,
            // The share of GPU memory the A100 clusters give each process: like with like.
            gpuMemoryFraction: config.databricks.a100.gpuMemoryFraction,
            library: librarySources(),
            // The custom metrics exist from the hybrid phase; written before, they would be created undeclared.
            metrics: config.phase >= hybridPhase ? { project: config.gcpProject, prefix: customMetricPrefix } : undefined,
            labels: ctx.labels(phase, "benchmark"),
        },
        // The Kubernetes resources follow the cluster through the provider; a run waits for an H100 node.
        ctx.gcpOptions({ providers: [kubernetes] }),
    );

    return { network, gke, h100, c4a, costMonitoring, a100Quota, kubernetes, performanceBaseline };
}
