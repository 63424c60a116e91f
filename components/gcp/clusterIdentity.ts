import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

/**
 * Databricks starts a cluster's VMs with the workspace's own service account: for a cluster to
 * run as another account (`gcpAttributes.googleServiceAccount`), the workspace's account needs
 * `roles/iam.serviceAccountUser` on it, and nobody else does.
 */
export function workspaceMayActAs(
    name: string,
    account: gcp.serviceaccount.Account,
    workspaceServiceAccount: pulumi.Input<string>,
    opts: pulumi.CustomResourceOptions,
): gcp.serviceaccount.IAMMember {
    return new gcp.serviceaccount.IAMMember(
        `${name}-workspace-user`,
        { serviceAccountId: account.name, role: "roles/iam.serviceAccountUser", member: pulumi.interpolate`serviceAccount:${workspaceServiceAccount}` },
        opts,
    );
}
