/**
 * The Google APIs the program calls, and which resource types call which: one table that the
 * `ProjectApis` component enables (and makes every resource wait for), the `gcp-apis-enabled`
 * policy checks the graph against, and docs/pitfalls.md prints. No Pulumi import.
 *
 * A fresh project has almost no API enabled, and a resource whose API is off fails its create
 * with `403 … API has not been used in project … or it is disabled`. Enabling an API is
 * eventually consistent too, so ordering matters as much as enabling: each resource of a type
 * below depends on the `gcp.projects.Service` of every API its type lists.
 */

/** Each API the program enables, and why. */
export const googleApis = {
    "serviceusage.googleapis.com":
        "Service Usage: enables the others. With `userProjectOverride` every call is billed to the project, so this one must already be on there (it is on by default in projects created in the console)",
    "cloudresourcemanager.googleapis.com": "project IAM bindings and the project-number lookup the budget filters on",
    "iam.googleapis.com": "service accounts (GKE nodes, cost tracking) and IAM on them",
    "compute.googleapis.com": "the VPC, subnets, Cloud Router and NAT, firewall rules; GKE and Databricks nodes are Compute Engine VMs",
    "container.googleapis.com": "the GKE cluster and its node pools",
    "storage.googleapis.com": "the Delta Lake bucket and bucket IAM (Unity Catalog storage, migration source)",
    "bigquery.googleapis.com": "the billing export dataset and its IAM",
    "bigquerystorage.googleapis.com": "the cost-tracking job reads the billing export through the BigQuery Storage Read API (the Spark connector)",
    "pubsub.googleapis.com": "the topic the budget publishes to",
    "monitoring.googleapis.com": "notification channels, custom metric descriptors, alert policies, the dashboard; GKE's managed Prometheus and DCGM metrics",
    "billingbudgets.googleapis.com": "the budget (billed to the project through `userProjectOverride`)",
    "cloudquotas.googleapis.com": "the GPU quota preferences, and `migration promote` reading the granted values back",
} as const satisfies Record<string, string>;

export type GoogleApi = keyof typeof googleApis;

export const googleApiNames = Object.keys(googleApis) as [GoogleApi, ...GoogleApi[]];

/**
 * The APIs a resource type's create, update and delete call. A type missing here is refused by
 * the `gcp-apis-enabled` policy, so a new resource type cannot bring back the first-`up` failure.
 * The two Databricks account types are here because Databricks validates the customer-managed
 * VPC and provisions the workspace in this project with the deploying identity's credentials.
 */
export const apisByResourceType: Readonly<Record<string, readonly GoogleApi[]>> = {
    "gcp:compute/network:Network": ["compute.googleapis.com"],
    "gcp:compute/subnetwork:Subnetwork": ["compute.googleapis.com"],
    "gcp:compute/router:Router": ["compute.googleapis.com"],
    "gcp:compute/routerNat:RouterNat": ["compute.googleapis.com"],
    "gcp:compute/firewall:Firewall": ["compute.googleapis.com"],
    "gcp:container/cluster:Cluster": ["container.googleapis.com", "compute.googleapis.com"],
    "gcp:container/nodePool:NodePool": ["container.googleapis.com", "compute.googleapis.com"],
    "gcp:serviceaccount/account:Account": ["iam.googleapis.com"],
    "gcp:serviceaccount/iAMMember:IAMMember": ["iam.googleapis.com"],
    "gcp:projects/iAMMember:IAMMember": ["cloudresourcemanager.googleapis.com"],
    "gcp:storage/bucket:Bucket": ["storage.googleapis.com"],
    "gcp:storage/bucketIAMMember:BucketIAMMember": ["storage.googleapis.com"],
    "gcp:bigquery/dataset:Dataset": ["bigquery.googleapis.com"],
    "gcp:bigquery/datasetIamMember:DatasetIamMember": ["bigquery.googleapis.com"],
    "gcp:pubsub/topic:Topic": ["pubsub.googleapis.com"],
    "gcp:monitoring/notificationChannel:NotificationChannel": ["monitoring.googleapis.com"],
    "gcp:monitoring/metricDescriptor:MetricDescriptor": ["monitoring.googleapis.com"],
    "gcp:monitoring/alertPolicy:AlertPolicy": ["monitoring.googleapis.com"],
    "gcp:monitoring/dashboard:Dashboard": ["monitoring.googleapis.com"],
    "gcp:billing/budget:Budget": ["billingbudgets.googleapis.com"],
    "gcp:cloudquota/sQuotaPreference:SQuotaPreference": ["cloudquotas.googleapis.com"],
    "databricks:index/mwsNetworks:MwsNetworks": ["compute.googleapis.com"],
    "databricks:index/mwsWorkspaces:MwsWorkspaces": ["compute.googleapis.com", "iam.googleapis.com", "cloudresourcemanager.googleapis.com"],
};

/** The type of the resource that enables an API; it calls Service Usage, which must already be on. */
export const apiServiceType = "gcp:projects/service:Service";

/** Provider functions the program calls, with the API each needs (they cannot wait on a resource type). */
export const apisByFunction: Readonly<Record<string, readonly GoogleApi[]>> = {
    "gcp:organizations/getProject:getProject": ["cloudresourcemanager.googleapis.com"],
};

/** The APIs of a resource type, or undefined when the table does not know it. */
export function apisOf(type: string): readonly GoogleApi[] | undefined {
    return Object.prototype.hasOwnProperty.call(apisByResourceType, type) ? apisByResourceType[type] : undefined;
}

/** Whether the `gcp-apis-enabled` policy holds a resource type to the table: every GCP type, and the Databricks types listed. */
export function needsApiTable(type: string): boolean {
    return (type.startsWith("gcp:") && type !== apiServiceType) || apisOf(type) !== undefined;
}
