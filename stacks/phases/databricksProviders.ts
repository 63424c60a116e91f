/**
 * The two Databricks providers, created by the phase that needs them and passed into the
 * components (never created inside one). Both authenticate as the configured Google service
 * account (Google ID tokens, `google-id` auth): the account API on GCP accepts nothing else for
 * workspace creation, and no key is stored anywhere. The identity running Pulumi must be
 * allowed to impersonate it (roles/iam.serviceAccountTokenCreator).
 */
import * as databricks from "@pulumi/databricks";
import { Workspace } from "../../components/databricks/workspace";
import { MigrationConfig } from "../config";

export const accountsHost = "https://accounts.gcp.databricks.com";

function required<T>(value: T | undefined, key: string): T {
    // config.ts refuses a phase-1 stack without these keys; this guards direct callers.
    if (value === undefined) throw new Error(`migration:databricks.${key} is required from phase 1`);
    return value;
}

/** Account-level: creates networks and workspaces, assigns metastores. */
export function accountProvider(config: MigrationConfig): databricks.Provider {
    return new databricks.Provider("databricks-account", {
        host: accountsHost,
        accountId: required(config.databricks.accountId, "accountId"),
        googleServiceAccount: required(config.databricks.googleServiceAccount, "googleServiceAccount"),
    });
}

/**
 * Workspace-level: everything inside the workspace. It waits for the metastore assignment,
 * so no Unity Catalog object is created in a workspace that has no metastore yet.
 */
export function workspaceProvider(config: MigrationConfig, workspace: Workspace): databricks.Provider {
    return new databricks.Provider(
        "databricks-workspace",
        {
            host: workspace.workspaceUrl,
            googleServiceAccount: required(config.databricks.googleServiceAccount, "googleServiceAccount"),
        },
        { dependsOn: [workspace.metastoreAssignment] },
    );
}
