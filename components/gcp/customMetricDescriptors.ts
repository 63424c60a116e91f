import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { CustomMetric, CustomMetricName, customMetrics, metricType } from "../../domain/customMetrics";
import { MigrationComponent } from "../stateful";

export interface CustomMetricDescriptorsArgs {
    project: string;
}

/**
 * Declares the unified monitoring's custom metrics (domain/customMetrics.ts): type, kind,
 * unit and labels, so a workload that writes the wrong labels is refused, and the alerts'
 * PromQL is validated against real metrics.
 *
 * Deleting a metric descriptor deletes every time series written to it, and those series are
 * the migration's performance and cost history (and the baselines the alerts compare with).
 * The descriptors are therefore data: protected, retained, and abandoned rather than deleted
 * should a deletion ever get past both.
 */
export class CustomMetricDescriptors extends MigrationComponent {
    readonly descriptors: Record<CustomMetricName, gcp.monitoring.MetricDescriptor>;

    constructor(name: string, args: CustomMetricDescriptorsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("migration:gcp:CustomMetricDescriptors", name, {}, opts);
        this.descriptors = Object.fromEntries(
            customMetrics.map((metric: CustomMetric) => [
                metric.name,
                new gcp.monitoring.MetricDescriptor(
                    `${name}-${metric.name.replace(/_/g, "-")}`,
                    {
                        project: args.project,
                        type: metricType(metric.name as CustomMetricName),
                        metricKind: "GAUGE",
                        valueType: "DOUBLE",
                        unit: metric.unit,
                        displayName: metric.displayName,
                        description: `${metric.description}. Written by ${metric.writer}.`,
                        labels: metric.labels.map((l) => ({ key: l.key, valueType: "STRING", description: l.description })),
                        launchStage: "GA",
                        deletionPolicy: "ABANDON",
                    },
                    { parent: this },
                ),
            ]),
        ) as Record<CustomMetricName, gcp.monitoring.MetricDescriptor>;
        this.registerOutputs({ types: customMetrics.map((m) => metricType(m.name)) });
    }
}
