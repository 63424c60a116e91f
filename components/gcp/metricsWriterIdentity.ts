import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { gcpIdPattern } from "../../domain/gcpNames";
import { workspaceMayActAs } from "./clusterIdentity";
import { MigrationComponent } from "../stateful";

export interface MetricsWriterIdentityArgs {
    project: string;
    /** Service account ID (the part before @), 6-30 characters. */
    accountId: string;
    /** The Databricks workspace's own service account, which starts cluster VMs as this one. */
    workspaceServiceAccount: pulumi.Input<string>;
}

/**
 * The Google service account the training and benchmark job clusters run as
 * (`gcpAttributes.googleServiceAccount`) to write the custom metrics, with no key anywhere.
 * It may write time series and nothing else; the workspace's service account may start VMs
 * as it, nobody else may.
 */
export class MetricsWriterIdentity extends MigrationComponent {
    readonly account: gcp.serviceaccount.Account;
    readonly grants: pulumi.Resource[];

    constructor(name: string, args: MetricsWriterIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        if (!gcpIdPattern.test(args.accountId)) {
            throw new Error(`MetricsWriterIdentity ${name}: accountId ${JSON.stringify(args.accountId)}: expected 6-30 lowercase letters, digits or hyphens`);
        }
        super("migration:gcp:MetricsWriterIdentity", name, {}, opts);
        const parent = { parent: this };
        this.account = new gcp.serviceaccount.Account(
            name,
            { project: args.project, accountId: args.accountId, displayName: "ML platform metrics (Databricks training and benchmark clusters)" },
            parent,
        );
        this.grants = [
            new gcp.projects.IAMMember(
                `${name}-metric-writer`,
                { project: args.project, role: "roles/monitoring.metricWriter", member: pulumi.interpolate`serviceAccount:${this.account.email}` },
                parent,
            ),
            workspaceMayActAs(name, this.account, args.workspaceServiceAccount, parent),
        ];
        this.registerOutputs({ email: this.account.email });
    }
}
