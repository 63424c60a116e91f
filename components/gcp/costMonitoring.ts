import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { daysPerMonth } from "../../domain/calendar";
import { MigrationComponent } from "../stateful";

export interface CostMonitoringArgs {
    project: string;
    /** The project's number: budgets filter on `projects/{number}`. */
    projectNumber: pulumi.Input<string>;
    billingAccount: string;
    dailyCostAlertUsd: number;
    budgetAlertThresholds: readonly number[];
    billingExportLocation: string;
    notificationEmails: readonly string[];
    labels: Record<string, string>;
}

/** The dataset the Cloud Billing export writes to (switched on in the billing console, pointed here). */
export const billingExportDatasetId = "billing_export";

/**
 * The table the detailed usage cost export creates in that dataset: named after the billing
 * account, with underscores (`gcp_billing_export_resource_v1_01A2B3_C4D5E6_F7A8B9`).
 */
export function billingExportTable(project: string, billingAccount: string): string {
    return `${project}.${billingExportDatasetId}.gcp_billing_export_resource_v1_${billingAccount.replace(/-/g, "_")}`;
}


export function monthlyBudgetUsd(dailyCostAlertUsd: number): number {
    return Math.round(dailyCostAlertUsd * daysPerMonth);
}

/**
 * Seed Phase 0 "Cost Monitoring Setup": the BigQuery dataset that receives the Cloud Billing
 * export (the export itself is switched on in the billing console; there is no API for it),
 * a monthly budget derived from the $1,000/day alert that publishes every update to Pub/Sub
 * and e-mails the notification channels at each threshold.
 */
export class CostMonitoring extends MigrationComponent {
    readonly billingExport: gcp.bigquery.Dataset;
    readonly alertsTopic: gcp.pubsub.Topic;
    readonly channels: gcp.monitoring.NotificationChannel[];
    readonly budget: gcp.billing.Budget;

    constructor(name: string, args: CostMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("migration:gcp:CostMonitoring", name, {}, opts);
        const problems: string[] = [];
        if (!(args.dailyCostAlertUsd > 0)) problems.push(`dailyCostAlertUsd ${args.dailyCostAlertUsd}: expected > 0`);
        if (args.notificationEmails.length === 0) problems.push("notificationEmails: expected at least one address");
        if (problems.length > 0) throw new Error(`CostMonitoring ${name}: ${problems.join("; ")}`);

        // Billing history is the migration's evidence: kept when the stack rolls back or is destroyed.
        this.billingExport = new gcp.bigquery.Dataset(
            `${name}-billing-export`,
            {
                datasetId: billingExportDatasetId,
                friendlyName: "Cloud Billing export",
                description: "Cloud Billing detailed usage cost export (GCP baseline and hybrid cost tracking)",
                location: args.billingExportLocation,
                deleteContentsOnDestroy: false,
                labels: args.labels,
            },
            { parent: this },
        );
        this.alertsTopic = new gcp.pubsub.Topic(`${name}-budget-alerts`, { labels: args.labels }, { parent: this });
        this.channels = args.notificationEmails.map(
            (email, i) =>
                new gcp.monitoring.NotificationChannel(
                    `${name}-email-${i}`,
                    { type: "email", displayName: `Cost alerts: ${email}`, labels: { email_address: email }, userLabels: args.labels },
                    { parent: this },
                ),
        );
        this.budget = new gcp.billing.Budget(
            `${name}-budget`,
            {
                billingAccount: args.billingAccount,
                displayName: `${args.project} ML platform (${args.dailyCostAlertUsd} USD/day)`,
                budgetFilter: {
                    projects: [pulumi.interpolate`projects/${args.projectNumber}`],
                    calendarPeriod: "MONTH",
                    creditTypesTreatment: "INCLUDE_ALL_CREDITS",
                },
                amount: { specifiedAmount: { currencyCode: "USD", units: String(monthlyBudgetUsd(args.dailyCostAlertUsd)) } },
                thresholdRules: [
                    ...args.budgetAlertThresholds.map((thresholdPercent) => ({ thresholdPercent, spendBasis: "CURRENT_SPEND" })),
                    { thresholdPercent: 1.0, spendBasis: "FORECASTED_SPEND" },
                ],
                allUpdatesRule: {
                    pubsubTopic: this.alertsTopic.id,
                    monitoringNotificationChannels: this.channels.map((c) => c.id),
                    schemaVersion: "1.0",
                },
            },
            { parent: this },
        );
        this.registerOutputs({ billingExportDataset: this.billingExport.datasetId, budgetAlertsTopic: this.alertsTopic.id });
    }
}
