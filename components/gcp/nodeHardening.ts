import * as pulumi from "@pulumi/pulumi";

/**
 * What every GKE node pool of the platform shares: its own least-privilege service account
 * (scopes are then only a ceiling), the GKE metadata server for workload identity, shielded
 * boot, gVNIC, and automatic repair and upgrade.
 */
export function hardenedNodeConfig(serviceAccount: pulumi.Input<string>) {
    return {
        serviceAccount,
        oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
        workloadMetadataConfig: { mode: "GKE_METADATA" },
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
        gvnic: { enabled: true },
    };
}

export const nodeManagement = { autoRepair: true, autoUpgrade: true };
