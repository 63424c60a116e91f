import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { gcpIdPattern } from "../../domain/gcpNames";
import { workspaceMayActAs } from "./clusterIdentity";
import { MigrationComponent } from "../stateful";

export interface CostTrackingIdentityArgs {
    project: string;
    /** Service account ID (the part before @), 6-30 characters. */
    accountId: string;
    /** The BigQuery dataset the Cloud Billing export writes to. */
    billingExportDataset: pulumi.Input<string>;
    /** The Databricks workspace's own service account, which starts cluster VMs as this one. */
    workspaceServiceAccount: pulumi.Input<string>;
}

/** What the cost-tracking cluster does on the GCP side, and the project roles that allow exactly that. */
export const costTrackingProjectRoles = [
    // Read the billing export through the BigQuery Storage Read API (what the Spark connector uses).
    "roles/bigquery.readSessionUser",
    // Write the daily_cost custom metric.
    "roles/monitoring.metricWriter",
] as const;

/**
 * The Google service account the cost-tracking job cluster runs as (`gcpAttributes.
 * googleServiceAccount`): it reads the billing export dataset and writes the daily cost to
 * Cloud Monitoring, with no key anywhere. Databricks starts the cluster's VMs with the
 * workspace's service account, which therefore may act as this one; nobody else may.
 */
export class CostTrackingIdentity extends MigrationComponent {
    readonly account: gcp.serviceaccount.Account;
    /** Known before the account exists, so cluster specs can carry it as plain data. */
    readonly email: string;
    readonly grants: pulumi.Resource[];

    constructor(name: string, args: CostTrackingIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        if (!gcpIdPattern.test(args.accountId)) {
            throw new Error(`CostTrackingIdentity ${name}: accountId ${JSON.stringify(args.accountId)}: expected 6-30 lowercase letters, digits or hyphens`);
        }
        super("migration:gcp:CostTrackingIdentity", name, {}, opts);
        const parent = { parent: this };
        this.email = `${args.accountId}@${args.project}.iam.gserviceaccount.com`;

        this.account = new gcp.serviceaccount.Account(
            name,
            { project: args.project, accountId: args.accountId, displayName: "ML platform cost tracking (Databricks job cluster)" },
            parent,
        );
        const member = pulumi.interpolate`serviceAccount:${this.account.email}`;
        this.grants = [
            new gcp.bigquery.DatasetIamMember(
                `${name}-billing-export-reader`,
                { project: args.project, datasetId: args.billingExportDataset, role: "roles/bigquery.dataViewer", member },
                parent,
            ),
            ...costTrackingProjectRoles.map(
                (role) => new gcp.projects.IAMMember(`${name}-${role.split("/")[1].replace(/\./g, "-")}`, { project: args.project, role, member }, parent),
            ),
            workspaceMayActAs(name, this.account, args.workspaceServiceAccount, parent),
        ];
        this.registerOutputs({ email: this.account.email });
    }
}
