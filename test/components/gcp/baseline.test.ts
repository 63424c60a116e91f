import { describe, expect, it } from "vitest";
import { CostMonitoring, monthlyBudgetUsd } from "../../../components/gcp/costMonitoring";
import { GkeCluster, GkeClusterArgs, nodeServiceAccountRoles } from "../../../components/gcp/gkeCluster";
import { allRegionsGpuQuotaId } from "../../../domain/gcp/gpuQuota";
import { a100QuotaIds, GpuQuotaRequest } from "../../../components/gcp/gpuQuotaRequest";
import { Network } from "../../../components/gcp/network";
import { byType, runProgram } from "../../harness";

const labels = { team: "t", env: "e", phase: "phase-0", workload: "platform", "cost-center": "c" };

describe("Network", () => {
    it("builds a custom-mode VPC, a subnet with private Google access and pod/service ranges, and Cloud NAT", async () => {
        const graph = await runProgram(
            () => new Network("ml", { region: "us-central1", subnetCidr: "10.0.0.0/20", podsCidr: "10.4.0.0/14", servicesCidr: "10.8.0.0/20" }),
        );
        const [vpc] = byType(graph, "gcp:compute/network:Network");
        const [subnet] = byType(graph, "gcp:compute/subnetwork:Subnetwork");
        const [nat] = byType(graph, "gcp:compute/routerNat:RouterNat");
        expect(vpc.inputs.autoCreateSubnetworks).toBe(false);
        expect(subnet.inputs).toMatchObject({
            ipCidrRange: "10.0.0.0/20",
            privateIpGoogleAccess: true,
            secondaryIpRanges: [
                { rangeName: "pods", ipCidrRange: "10.4.0.0/14" },
                { rangeName: "services", ipCidrRange: "10.8.0.0/20" },
            ],
        });
        expect(subnet.dependencies).toContain(vpc.urn);
        expect(nat.inputs).toMatchObject({ natIpAllocateOption: "AUTO_ONLY", sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES" });
    });
});

describe("GkeCluster", () => {
    const clusterArgs: GkeClusterArgs = {
        project: "acme-ml",
        region: "us-central1",
        networkId: "vpc",
        subnetId: "subnet",
        podsRangeName: "pods",
        servicesRangeName: "services",
        masterCidr: "172.16.0.0/28",
        masterAuthorizedCidrs: ["203.0.113.0/24"],
        releaseChannel: "STABLE",
        autoscalingProfile: "OPTIMIZE_UTILIZATION",
        deletionProtection: true,
        labels,
    };

    it("is private, with workload identity, managed Prometheus + DCGM, a release channel and its own node account", async () => {
        const graph = await runProgram(() => new GkeCluster("ml-gke", clusterArgs));
        const [cluster] = byType(graph, "gcp:container/cluster:Cluster");
        expect(cluster.inputs).toMatchObject({
            privateClusterConfig: { enablePrivateNodes: true, masterIpv4CidrBlock: "172.16.0.0/28" },
            workloadIdentityConfig: { workloadPool: "acme-ml.svc.id.goog" },
            monitoringConfig: { enableComponents: ["SYSTEM_COMPONENTS", "DCGM"], managedPrometheus: { enabled: true } },
            releaseChannel: { channel: "STABLE" },
            clusterAutoscaling: { autoscalingProfile: "OPTIMIZE_UTILIZATION" },
            removeDefaultNodePool: true,
            deletionProtection: true,
            resourceLabels: labels,
            masterAuthorizedNetworksConfig: { cidrBlocks: [{ cidrBlock: "203.0.113.0/24", displayName: "203.0.113.0/24" }] },
        });
        const roles = byType(graph, "gcp:projects/iAMMember:IAMMember").map((m) => m.inputs.role);
        expect(roles.sort()).toEqual([...nodeServiceAccountRoles].sort());
        // The cluster waits for its node account's roles, or the first nodes fail to register.
        for (const member of byType(graph, "gcp:projects/iAMMember:IAMMember")) expect(cluster.dependencies).toContain(member.urn);
    });

    it("keeps its control plane reachable without authorised networks: the IAM-gated DNS endpoint", async () => {
        // The default: no authorised network, which alone would shut CI out of the IP endpoint.
        const graph = await runProgram(() => new GkeCluster("ml-gke", { ...clusterArgs, masterAuthorizedCidrs: [] }));
        const [cluster] = byType(graph, "gcp:container/cluster:Cluster");
        expect(cluster.inputs.masterAuthorizedNetworksConfig).toEqual({ cidrBlocks: [] });
        expect(cluster.inputs.controlPlaneEndpointsConfig).toEqual({ dnsEndpointConfig: { allowExternalTraffic: true } });
    });
});

describe("CostMonitoring", () => {
    it("derives a monthly budget from the daily alert and notifies Pub/Sub and every channel", async () => {
        const graph = await runProgram(
            () =>
                new CostMonitoring("cost", {
                    project: "acme-ml",
                    projectNumber: "42",
                    billingAccount: "01A2B3-C4D5E6-F7A8B9",
                    dailyCostAlertUsd: 1000,
                    budgetAlertThresholds: [0.5, 1],
                    billingExportLocation: "EU",
                    notificationEmails: ["a@example.com", "b@example.com"],
                    labels,
                }),
        );
        expect(monthlyBudgetUsd(1000)).toBe(30417);
        const [budget] = byType(graph, "gcp:billing/budget:Budget");
        const [topic] = byType(graph, "gcp:pubsub/topic:Topic");
        const channels = byType(graph, "gcp:monitoring/notificationChannel:NotificationChannel");
        expect(budget.inputs).toMatchObject({
            billingAccount: "01A2B3-C4D5E6-F7A8B9",
            budgetFilter: { projects: ["projects/42"], calendarPeriod: "MONTH" },
            amount: { specifiedAmount: { currencyCode: "USD", units: "30417" } },
            thresholdRules: [
                { thresholdPercent: 0.5, spendBasis: "CURRENT_SPEND" },
                { thresholdPercent: 1, spendBasis: "CURRENT_SPEND" },
                { thresholdPercent: 1, spendBasis: "FORECASTED_SPEND" },
            ],
        });
        const rule = budget.inputs.allUpdatesRule as { pubsubTopic: string; monitoringNotificationChannels: string[] };
        expect(rule.pubsubTopic).toBe(topic.id);
        expect(rule.monitoringNotificationChannels).toEqual(channels.map((c) => c.id));
        expect(channels.map((c) => (c.inputs.labels as Record<string, string>).email_address)).toEqual(["a@example.com", "b@example.com"]);
        const [dataset] = byType(graph, "gcp:bigquery/dataset:Dataset");
        expect(dataset).toMatchObject({ protect: true, retainOnDelete: true });
        expect(dataset.inputs).toMatchObject({ location: "EU", deleteContentsOnDestroy: false });
    });
});

describe("GpuQuotaRequest", () => {
    const args = { project: "acme-ml", region: "europe-west4", gpus: 4, preemptibleGpus: 16, allRegionsGpus: 84, contactEmail: "platform-lead@example.com" };

    it.each(["a100-40gb", "a100-80gb"] as const)("asks for on-demand and preemptible %s GPUs in the region, and the all-regions ceiling", async (variant) => {
        const graph = await runProgram(() => new GpuQuotaRequest("q", { ...args, variant }));
        const prefs = new Map(byType(graph, "gcp:cloudquota/sQuotaPreference:SQuotaPreference").map((p) => [p.inputs.quotaId as string, p.inputs]));
        const preferred = (id: string) => (prefs.get(id)!.quotaConfig as { preferredValue: string }).preferredValue;
        expect([...prefs.keys()].sort()).toEqual([a100QuotaIds[variant].onDemand, a100QuotaIds[variant].preemptible, allRegionsGpuQuotaId].sort());
        expect([preferred(a100QuotaIds[variant].onDemand), preferred(a100QuotaIds[variant].preemptible), preferred(allRegionsGpuQuotaId)]).toEqual(["4", "16", "84"]);
        for (const p of prefs.values()) expect(p).toMatchObject({ parent: "projects/acme-ml", service: "compute.googleapis.com", contactEmail: "platform-lead@example.com" });
        expect(prefs.get(a100QuotaIds[variant].onDemand)!.dimensions).toEqual({ region: "europe-west4" });
        expect(prefs.get(a100QuotaIds[variant].preemptible)!.dimensions).toEqual({ region: "europe-west4" });
        // The ceiling is project-wide: no region.
        expect(prefs.get(allRegionsGpuQuotaId)!.dimensions).toBeUndefined();
    });

    it.each<[Partial<typeof args>, string]>([
        [{ allRegionsGpus: 10 }, "allRegionsGpus 10: expected at least the A100 GPUs requested (20)"],
        [{ contactEmail: "ml-platform" }, 'contactEmail "ml-platform": expected an e-mail address'],
        [{ gpus: -1 }, "gpus -1: expected an integer ≥ 0"],
    ])("refuses %j before registering anything", async (change, message) => {
        const error = await runProgram(() => new GpuQuotaRequest("q", { ...args, variant: "a100-40gb", ...change })).catch((e) => e);
        expect(error.message).toContain(`GpuQuotaRequest q: ${message}`);
    });
});
