import { describe, expect, it } from "vitest";
import { CostMonitoring, monthlyBudgetUsd } from "../../../components/gcp/costMonitoring";
import { GkeCluster, nodeServiceAccountRoles } from "../../../components/gcp/gkeCluster";
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
    it("is private, with workload identity, managed Prometheus + DCGM, a release channel and its own node account", async () => {
        const graph = await runProgram(
            () =>
                new GkeCluster("ml-gke", {
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
                }),
        );
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
    it.each(["a100-40gb", "a100-80gb"] as const)("asks for on-demand and preemptible %s GPUs in the region", async (variant) => {
        const graph = await runProgram(
            () => new GpuQuotaRequest("q", { project: "acme-ml", region: "europe-west4", variant, gpus: 4, preemptibleGpus: 16, contactEmail: "a@example.com" }),
        );
        const prefs = byType(graph, "gcp:cloudquota/sQuotaPreference:SQuotaPreference");
        expect(prefs.map((p) => [p.inputs.quotaId, (p.inputs.quotaConfig as { preferredValue: string }).preferredValue])).toEqual([
            [a100QuotaIds[variant].onDemand, "4"],
            [a100QuotaIds[variant].preemptible, "16"],
        ]);
        for (const p of prefs) expect(p.inputs).toMatchObject({ service: "compute.googleapis.com", dimensions: { region: "europe-west4" } });
    });
});
