import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { AlertThresholds, monitoringPolicies, MonitoringPolicy, MonitoringPolicyKey, PromqlCondition } from "../../domain/alertRules";
import { DashboardSettings, hybridDashboard } from "../../domain/gcp/monitoringDashboard";
import { MigrationComponent } from "../stateful";

export interface HybridMonitoringArgs {
    project: string;
    /** The GKE cluster whose DCGM GPU metrics the dashboard and the GPU alert read. */
    gkeClusterName: pulumi.Input<string>;
    /** Notification channel IDs (phase 0's); every alert policy notifies all of them. */
    notificationChannels: pulumi.Input<string>[];
    thresholds: AlertThresholds;
    dashboardName: string;
    databricksSql: DashboardSettings["databricksSql"];
    labels: Record<string, string>;
    /** The custom metrics' descriptors: the policies' PromQL is validated against them. */
    metrics: pulumi.Resource[];
}

/** How long an incident stays open after its condition stops being met before it closes itself. */
export const autoCloseSeconds = 24 * 3600;

/**
 * Seed "Monitoring Setup", GCP side: the unified dashboard and the alert policies (GPU
 * utilisation, performance degradation against the baseline, daily cost), each notifying the
 * configured channels. Conditions are PromQL (MQL is deprecated); thresholds come from
 * `AlertThresholds`, whose defaults are the seed's values.
 */
export class HybridMonitoring extends MigrationComponent {
    readonly dashboard: gcp.monitoring.Dashboard;
    readonly policies: Record<MonitoringPolicyKey, gcp.monitoring.AlertPolicy>;

    constructor(name: string, args: HybridMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        validate(name, args);
        super("migration:gcp:HybridMonitoring", name, {}, opts);
        const cluster = pulumi.output(args.gkeClusterName);
        const policiesFor = (key: MonitoringPolicyKey) => cluster.apply((c) => monitoringPolicies(args.thresholds, c).find((p) => p.key === key)!);

        this.dashboard = new gcp.monitoring.Dashboard(
            `${name}-dashboard`,
            {
                project: args.project,
                dashboardJson: cluster.apply((gkeCluster) =>
                    JSON.stringify(
                        hybridDashboard({
                            displayName: args.dashboardName,
                            gkeCluster,
                            thresholds: args.thresholds,
                            labels: args.labels,
                            databricksSql: args.databricksSql,
                        }),
                    ),
                ),
            },
            { parent: this },
        );

        // The policies' names and shape do not depend on the cluster; their queries do.
        const shapes = monitoringPolicies(args.thresholds, "");
        this.policies = Object.fromEntries(
            shapes.map((shape) => {
                const policy = policiesFor(shape.key);
                return [
                    shape.key,
                    new gcp.monitoring.AlertPolicy(
                        `${name}-${shape.key}`,
                        {
                            project: args.project,
                            displayName: shape.displayName,
                            combiner: "OR",
                            severity: shape.severity,
                            conditions: policy.apply((p: MonitoringPolicy) => p.conditions.map(condition)),
                            documentation: { content: shape.documentation, mimeType: "text/markdown", subject: shape.displayName },
                            notificationChannels: args.notificationChannels,
                            alertStrategy: { autoClose: `${autoCloseSeconds}s` },
                            userLabels: args.labels,
                        },
                        { parent: this, dependsOn: args.metrics },
                    ),
                ];
            }),
        ) as Record<MonitoringPolicyKey, gcp.monitoring.AlertPolicy>;
        this.registerOutputs({ dashboard: this.dashboard.id });
    }
}

function condition(c: PromqlCondition) {
    return {
        displayName: c.displayName,
        conditionPrometheusQueryLanguage: {
            query: c.query,
            // The windows inside the query do the smoothing; the condition holds while it returns a series.
            duration: "0s",
            evaluationInterval: "60s",
            ruleGroup: "hybrid-monitoring",
            alertRule: c.key,
            disableMetricValidation: c.disableMetricValidation,
        },
    };
}

function validate(name: string, args: HybridMonitoringArgs): void {
    const problems: string[] = [];
    const t = args.thresholds;
    for (const key of ["gpuUtilizationFloor", "dbuUtilizationFloor", "performanceDegradation"] as const) {
        if (!(t[key] > 0 && t[key] <= 1)) problems.push(`thresholds.${key} ${t[key]}: expected a fraction above 0, at most 1`);
    }
    if (!(t.dailyCostUsd > 0)) problems.push(`thresholds.dailyCostUsd ${t.dailyCostUsd}: expected a positive amount`);
    if (args.notificationChannels.length === 0) problems.push("notificationChannels: expected at least one channel, or the alerts would notify nobody");
    if (problems.length > 0) throw new Error(`HybridMonitoring ${name}: ${problems.join("; ")}`);
}
