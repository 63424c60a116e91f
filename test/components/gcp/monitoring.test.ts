import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { seedAlertThresholds } from "../../../domain/alertRules";
import { customMetrics } from "../../../domain/customMetrics";
import { billingExportTable } from "../../../components/gcp/costMonitoring";
import { CostTrackingIdentity } from "../../../components/gcp/costTrackingIdentity";
import { CustomMetricDescriptors } from "../../../components/gcp/customMetricDescriptors";
import { HybridMonitoring, HybridMonitoringArgs } from "../../../components/gcp/hybridMonitoring";
import { hybridDashboard } from "../../../domain/gcp/monitoringDashboard";
import { labelProperty } from "../../../domain/labels";
import { isStateful } from "../../../domain/stateful";
import { byType, runProgram } from "../../harness";

const labels = { team: "t", env: "e", phase: "phase-3", workload: "monitoring", "cost-center": "c" };
const args = (change: Partial<HybridMonitoringArgs> = {}): HybridMonitoringArgs => ({
    project: "acme-ml-dev",
    gkeClusterName: pulumi.output("ml-gke-1a2b"),
    notificationChannels: ["projects/acme-ml-dev/notificationChannels/1"],
    thresholds: seedAlertThresholds,
    dashboardName: "d",
    databricksSql: { dailyCostQuery: "Daily cost analysis", dbuUtilizationAlert: "DBU" },
    labels,
    metrics: [],
    ...change,
});

describe("HybridMonitoring", () => {
    it("creates the dashboard and three alert policies for the cluster it is given, each notifying the channels", async () => {
        const graph = await runProgram(() => new HybridMonitoring("m", args()));
        const policies = byType(graph, "gcp:monitoring/alertPolicy:AlertPolicy");
        expect(policies.map((p) => p.name).sort()).toEqual(["m-daily-cost", "m-gpu-utilization", "m-performance-degradation"]);
        for (const p of policies) {
            expect(p.inputs).toMatchObject({ notificationChannels: ["projects/acme-ml-dev/notificationChannels/1"], userLabels: labels, alertStrategy: { autoClose: "86400s" } });
            expect((p.inputs.documentation as { content: string }).content.length).toBeGreaterThan(50);
        }
        const gpu = policies.find((p) => p.name === "m-gpu-utilization")!.inputs.conditions as { conditionPrometheusQueryLanguage: { query: string } }[];
        expect(gpu[0].conditionPrometheusQueryLanguage.query).toContain('{cluster="ml-gke-1a2b"}');
        const [dashboard] = byType(graph, "gcp:monitoring/dashboard:Dashboard");
        expect(JSON.parse(dashboard.inputs.dashboardJson as string).mosaicLayout.tiles[0].widget.xyChart.dataSets[0].timeSeriesQuery.prometheusQuery).toContain(
            '{cluster="ml-gke-1a2b"}',
        );
    });

    it("refuses alerts that would notify nobody, and thresholds outside their ranges", async () => {
        const error = await runProgram(
            () => new HybridMonitoring("m", args({ notificationChannels: [], thresholds: { ...seedAlertThresholds, gpuUtilizationFloor: 85, dailyCostUsd: 0 } })),
        ).catch((e) => e);
        expect(error.message).toContain("HybridMonitoring m: thresholds.gpuUtilizationFloor 85: expected a fraction above 0, at most 1");
        expect(error.message).toContain("thresholds.dailyCostUsd 0: expected a positive amount");
        expect(error.message).toContain("notificationChannels: expected at least one channel");
    });
});

describe("hybridDashboard", () => {
    it("lays out the charts and the Databricks note in two columns, with the seed's thresholds", () => {
        const json = hybridDashboard({ displayName: "d", gkeCluster: "ml-gke", thresholds: seedAlertThresholds, labels, databricksSql: { dailyCostQuery: "Q", dbuUtilizationAlert: "A" } });
        expect(json.mosaicLayout.tiles.map((t) => [t.xPos, t.yPos])).toEqual([
            [0, 0],
            [24, 0],
            [0, 16],
            [24, 16],
            [0, 32],
            [24, 32],
            [0, 48],
            [24, 48],
        ]);
        expect(json.mosaicLayout.tiles[7].widget.text!.content).toContain("below 0.8");
    });
});

describe("CustomMetricDescriptors", () => {
    it("declares every custom metric as protected data, with no label map mistaken for labels", async () => {
        const graph = await runProgram(() => new CustomMetricDescriptors("metrics", { project: "acme-ml-dev" }));
        const descriptors = byType(graph, "gcp:monitoring/metricDescriptor:MetricDescriptor");
        expect(descriptors).toHaveLength(customMetrics.length);
        for (const d of descriptors) expect(d).toMatchObject({ protect: true, retainOnDelete: true, inputs: { project: "acme-ml-dev", deletionPolicy: "ABANDON" } });
        expect(isStateful("gcp:monitoring/metricDescriptor:MetricDescriptor")).toBe(true);
        expect(labelProperty("gcp:monitoring/metricDescriptor:MetricDescriptor")).toBeUndefined();
        expect(labelProperty("gcp:monitoring/alertPolicy:AlertPolicy")).toBe("userLabels");
    });
});

describe("CostTrackingIdentity", () => {
    it("knows its e-mail before the account exists, and grants only what the job does", async () => {
        let identity: CostTrackingIdentity | undefined;
        const graph = await runProgram(() => {
            identity = new CostTrackingIdentity("cost", {
                project: "acme-ml-dev",
                accountId: "ml-cost-tracking",
                billingExportDataset: "billing_export",
                workspaceServiceAccount: "db-1@prod-gcp-us-central1.iam.gserviceaccount.com",
            });
        });
        expect(identity!.email).toBe("ml-cost-tracking@acme-ml-dev.iam.gserviceaccount.com");
        expect(byType(graph, "gcp:serviceaccount/account:Account")[0].outputs.email).toBe(identity!.email);
        expect(byType(graph, "gcp:projects/iAMMember:IAMMember").map((m) => m.inputs.role)).toEqual(["roles/bigquery.readSessionUser", "roles/monitoring.metricWriter"]);
        expect(byType(graph, "gcp:serviceaccount/iAMMember:IAMMember")[0].inputs).toMatchObject({
            role: "roles/iam.serviceAccountUser",
            member: "serviceAccount:db-1@prod-gcp-us-central1.iam.gserviceaccount.com",
        });
    });

    it("refuses an account ID Google would refuse", async () => {
        const error = await runProgram(
            () => new CostTrackingIdentity("cost", { project: "p-12345", accountId: "Cost", billingExportDataset: "b", workspaceServiceAccount: "w" }),
        ).catch((e) => e);
        expect(error.message).toContain('CostTrackingIdentity cost: accountId "Cost": expected 6-30 lowercase letters');
    });
});

describe("billingExportTable", () => {
    it("names the detailed export's table after the billing account", () => {
        expect(billingExportTable("acme-ml-dev", "01A2B3-C4D5E6-F7A8B9")).toBe("acme-ml-dev.billing_export.gcp_billing_export_resource_v1_01A2B3_C4D5E6_F7A8B9");
    });
});
