/**
 * Whether an update replaces a resource, as far as can be known without the provider.
 *
 * `pulumi up` replaces a custom resource when its provider's Diff says a changed property
 * requires it; for the Terraform-bridged providers this project uses (gcp, databricks) that
 * is the property's `ForceNew` in the Terraform provider's schema. The provider plugin is not
 * here, so the properties are kept in a table (below), one entry per resource type, taken
 * from the provider sources. A change is then:
 *
 * - `replace` when a changed path is at or below a listed property and its new value is known;
 * - `may-replace` when the new value of such a property is computed (it may turn out equal),
 *   when the type has no entry, or when the resource's provider changed (the engine asks the
 *   new provider's DiffConfig, which only the plugin can answer);
 * - `update` when the type has an entry and no changed path is listed.
 *
 * Engine rules that need no provider: a component is never replaced (the engine only
 * compares its inputs); a change only under `ignoreChanges` is no change; and a resource
 * `deletedWith` a replaced resource is replaced with it (pulumi/pulumi step_generator.go).
 * A `replaceOnChanges` option is not recorded in the offline graph, so it is not seen here.
 */
import { isAtOrBelow, PropertyChange, schemaPath } from "./properties";

export type UpdateKind = "update" | "replace" | "may-replace";

export interface ReplaceRule {
    /** Input properties (schema paths) whose change forces a new resource. */
    replaceOn?: readonly string[];
    /** Or: every input forces a new resource except these. */
    replaceOnAllExcept?: readonly string[];
}

/** Provider sources the table was read from (their schemas' `ForceNew`). */
export const replaceRuleSources = [
    "hashicorp/terraform-provider-google e03b7622a2 (2026-08-21): google/services/{storage,bigquery,monitoring,container}",
    "databricks/terraform-provider-databricks 684f44249 (2026-08-22): catalog/, mws/resource_mws_workspaces.go, clusters/, jobs/",
] as const;

const nodeConfigReplaceOn = [
    "guestAccelerators",
    "localSsdCount",
    "ephemeralStorageLocalSsdConfig",
    "localNvmeSsdBlockConfig",
    "secondaryBootDisks",
    "metadata",
    "minCpuPlatform",
    "oauthScopes",
    "preemptible",
    "reservationAffinity",
    "spot",
    "serviceAccount",
    "shieldedInstanceConfig",
    "sandboxConfig",
    "bootDiskKmsKey",
    "nodeGroup",
    "advancedMachineFeatures",
    "soleTenantConfig",
    "hostMaintenancePolicy",
    "enableConfidentialStorage",
    "localSsdEncryptionMode",
    "maxRunDuration",
    "flexStart",
].map((p) => `nodeConfig.${p}`);

/** Resource type → what forces its replacement. Types not listed: `may-replace` on any change. */
export const replaceRules: Readonly<Record<string, ReplaceRule>> = {
    "gcp:storage/bucket:Bucket": {
        replaceOn: ["name", "location", "project", "enableObjectRetention", "hierarchicalNamespace", "customPlacementConfig.dataLocations"],
    },
    "gcp:bigquery/dataset:Dataset": { replaceOn: ["datasetId", "location", "project", "externalDatasetReference"] },
    "gcp:monitoring/metricDescriptor:MetricDescriptor": { replaceOn: ["type", "metricKind", "valueType", "labels", "launchStage", "project"] },
    "gcp:container/cluster:Cluster": {
        replaceOn: [
            "name",
            "location",
            "project",
            "description",
            "enableKubernetesAlpha",
            "enableTpu",
            "enableAutopilot",
            "initialNodeCount",
            "confidentialNodes",
            "network",
            "subnetwork",
            "nodePools",
            "ipAllocationPolicy",
            "networkingMode",
            "defaultMaxPodsPerNode",
            "datapathProvider",
            "privateClusterConfig.enablePrivateNodes",
            "privateClusterConfig.privateEndpointSubnetwork",
            ...nodeConfigReplaceOn,
        ],
    },
    "gcp:container/nodePool:NodePool": {
        replaceOn: [
            "name",
            "namePrefix",
            "project",
            "cluster",
            "location",
            "initialNodeCount",
            "maxPodsPerNode",
            "placementPolicy",
            "queuedProvisioning",
            "networkConfig.createPodRange",
            "networkConfig.podRange",
            "networkConfig.additionalNodeNetworkConfigs",
            "networkConfig.additionalPodNetworkConfigs",
            "networkConfig.podCidrOverprovisionConfig",
            "networkConfig.acceleratorNetworkProfile",
            "networkConfig.subnetwork",
            ...nodeConfigReplaceOn,
        ],
    },
    "databricks:index/catalog:Catalog": { replaceOn: ["storageRoot", "connectionName", "providerName", "shareName"] },
    "databricks:index/schema:Schema": { replaceOn: ["name", "catalogName", "storageRoot"] },
    "databricks:index/sqlTable:SqlTable": {
        replaceOn: ["catalogName", "schemaName", "tableType", "dataSourceFormat", "partitions", "storageCredentialName", "options"],
    },
    "databricks:index/volume:Volume": { replaceOn: ["catalogName", "schemaName", "storageLocation", "volumeType"] },
    "databricks:index/externalLocation:ExternalLocation": { replaceOn: ["name"] },
    "databricks:index/storageCredential:StorageCredential": { replaceOn: ["name"] },
    "databricks:index/mwsWorkspaces:MwsWorkspaces": {
        replaceOnAllExcept: [
            "credentialsId",
            "networkId",
            "storageCustomerManagedKeyId",
            "privateAccessSettingsId",
            "managedServicesCustomerManagedKeyId",
            "customTags",
            "expectedWorkspaceStatus",
            "token",
        ],
    },
    // Edited in place (a running cluster restarts); only its idempotency token forces a new one.
    "databricks:index/cluster:Cluster": { replaceOn: ["idempotencyToken"] },
    "databricks:index/job:Job": { replaceOn: [] },
};

export interface UpdateVerdict {
    kind: UpdateKind;
    /** Why, one line per cause (the property paths that force it, or what is unknown). */
    reasons: string[];
}

export interface UpdateInput {
    type: string;
    custom: boolean;
    changes: readonly PropertyChange[];
    /** The resource's provider reference changed. */
    providerChanged: boolean;
    /** Its explicit provider's own inputs changed in the same diff. */
    providerConfigChanged: boolean;
}

function forcesReplacement(rule: ReplaceRule, path: string): boolean {
    const at = schemaPath(path);
    if (rule.replaceOnAllExcept) return !rule.replaceOnAllExcept.some((p) => isAtOrBelow(at, p));
    return (rule.replaceOn ?? []).some((p) => isAtOrBelow(at, p));
}

/** Changes left once `ignoreChanges` (paths, `[*]` for any element) is applied, as the engine does. */
export function withoutIgnored(changes: readonly PropertyChange[], ignoreChanges: readonly string[]): PropertyChange[] {
    const ignored = ignoreChanges.map(schemaPath);
    return changes.filter((c) => !ignored.some((p) => isAtOrBelow(schemaPath(c.path), p)));
}

/** Whether an update of one resource replaces it (see the module comment for the rules). */
export function updateKind(input: UpdateInput): UpdateVerdict {
    if (!input.custom) return { kind: "update", reasons: [] };
    if (input.providerChanged) {
        return { kind: "may-replace", reasons: ["its provider changed: the new provider's configuration diff decides"] };
    }
    const rule = replaceRules[input.type];
    if (!rule) {
        const reasons = [`no replacement data for ${input.type}: its provider decides`];
        if (input.providerConfigChanged) reasons.push("its provider's configuration changed");
        return { kind: "may-replace", reasons };
    }
    const forcing = input.changes.filter((c) => forcesReplacement(rule, c.path));
    const known = forcing.filter((c) => !c.computed);
    if (known.length > 0) return { kind: "replace", reasons: known.map((c) => `${c.path} forces a new resource`) };
    const reasons = forcing.map((c) => `${c.path} forces a new resource if its computed value differs`);
    if (input.providerConfigChanged) reasons.push("its provider's configuration changed: the provider decides");
    return reasons.length > 0 ? { kind: "may-replace", reasons } : { kind: "update", reasons: [] };
}
