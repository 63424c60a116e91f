import * as databricks from "@pulumi/databricks";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { isNetworkAddress, parseCidr } from "../../domain/gcp/cidr";
import { MigrationComponent } from "../stateful";

export interface WorkspaceArgs {
    accountId: string;
    workspaceName: string;
    project: string;
    region: string;
    /** The phase-0 VPC: its self link or ID for the subnet, its name for Databricks. */
    networkId: pulumi.Input<string>;
    networkName: pulumi.Input<string>;
    /** A block of the VPC for Databricks alone (Databricks subnets cannot be shared), /29 to /9. */
    subnetCidr: string;
    metastoreId: string;
    /** The VPC's Cloud NAT: nodes have no public IPs, so the workspace waits for its egress. */
    egress: pulumi.Resource;
}

/**
 * Seed Phase 1, Day 1-2: a Databricks workspace on GCP in the project's own VPC
 * (customer-managed VPC). It gets a new subnet of the phase-0 VPC, whose regional Cloud NAT
 * already covers every subnet, so nodes reach the control plane without public IPs. The
 * workspace is attached to the region's Unity Catalog metastore.
 *
 * Every Databricks child uses the account-level provider passed in the options' `providers`
 * (host accounts.gcp.databricks.com); the workspace-level provider is built by the caller
 * from `workspaceUrl`, never here.
 */
export class Workspace extends MigrationComponent {
    readonly subnet: gcp.compute.Subnetwork;
    readonly internalFirewall: gcp.compute.Firewall;
    readonly network: databricks.MwsNetworks;
    readonly workspace: databricks.MwsWorkspaces;
    readonly metastoreAssignment: databricks.MetastoreAssignment;
    readonly workspaceUrl: pulumi.Output<string>;
    readonly workspaceId: pulumi.Output<string>;

    constructor(name: string, args: WorkspaceArgs, opts?: pulumi.ComponentResourceOptions) {
        validate(name, args);
        super("migration:databricks:Workspace", name, {}, opts);
        const parent = { parent: this };

        this.subnet = new gcp.compute.Subnetwork(
            `${name}-subnet`,
            {
                network: args.networkId,
                region: args.region,
                ipCidrRange: args.subnetCidr,
                // Nodes have no public IPs: Google APIs (GCS for Delta) over private access,
                // everything else out through the VPC's Cloud NAT.
                privateIpGoogleAccess: true,
                description: "Databricks workspace compute plane",
                logConfig: { aggregationInterval: "INTERVAL_10_MIN", flowSampling: 0.5, metadata: "INCLUDE_ALL_METADATA" },
            },
            parent,
        );
        // Spark drivers and executors talk to each other on arbitrary ports inside the subnet.
        this.internalFirewall = new gcp.compute.Firewall(
            `${name}-internal`,
            {
                network: args.networkId,
                direction: "INGRESS",
                sourceRanges: [args.subnetCidr],
                destinationRanges: [args.subnetCidr],
                allows: [{ protocol: "all" }],
                description: "Databricks cluster nodes to each other",
            },
            parent,
        );

        this.network = new databricks.MwsNetworks(
            `${name}-network`,
            {
                accountId: args.accountId,
                networkName: `${args.workspaceName}-network`,
                // Names, not self links; no pod/service ranges (GKE-based workspaces are retired).
                gcpNetworkInfo: {
                    networkProjectId: args.project,
                    vpcId: args.networkName,
                    subnetId: this.subnet.name,
                    subnetRegion: args.region,
                },
            },
            parent,
        );
        this.workspace = new databricks.MwsWorkspaces(
            name,
            {
                accountId: args.accountId,
                workspaceName: args.workspaceName,
                location: args.region,
                cloudResourceContainer: { gcp: { projectId: args.project } },
                networkId: this.network.networkId,
                // No customTags: the field is AWS-only. On GCP the labels reach the VMs through each
                // cluster's and job cluster's customTags, which the cluster policies fix.
            },
            // The workspace holds MLflow experiments, runs and job history: deleting it loses them.
            { parent: this, dependsOn: [this.internalFirewall, args.egress] },
        );
        this.metastoreAssignment = new databricks.MetastoreAssignment(
            `${name}-metastore`,
            { metastoreId: args.metastoreId, workspaceId: this.workspace.workspaceId },
            parent,
        );

        this.workspaceUrl = this.workspace.workspaceUrl;
        this.workspaceId = this.workspace.workspaceId;
        this.registerOutputs({ workspaceUrl: this.workspaceUrl, workspaceId: this.workspaceId });
    }
}

function validate(name: string, args: WorkspaceArgs): void {
    const problems: string[] = [];
    let prefix: number | undefined;
    try {
        prefix = parseCidr(args.subnetCidr).prefix;
    } catch {
        problems.push(`subnetCidr ${JSON.stringify(args.subnetCidr)}: expected an IPv4 CIDR block`);
    }
    if (prefix !== undefined && (prefix < 9 || prefix > 29)) {
        problems.push(`subnetCidr ${JSON.stringify(args.subnetCidr)}: expected a block from /9 to /29`);
    } else if (prefix !== undefined && !isNetworkAddress(args.subnetCidr)) {
        problems.push(`subnetCidr ${JSON.stringify(args.subnetCidr)}: expected the first address of its block`);
    }
    if (!/^[0-9a-f-]{36}$/.test(args.accountId)) problems.push(`accountId ${JSON.stringify(args.accountId)}: expected a UUID`);
    if (!/^[0-9a-f-]{36}$/.test(args.metastoreId)) problems.push(`metastoreId ${JSON.stringify(args.metastoreId)}: expected a UUID`);
    if (!/^[a-z][a-z0-9-]{2,28}[a-z0-9]$/.test(args.workspaceName)) {
        problems.push(`workspaceName ${JSON.stringify(args.workspaceName)}: expected 4-30 lowercase letters, digits or hyphens`);
    }
    if (problems.length > 0) throw new Error(`Workspace ${name}: ${problems.join("; ")}`);
}
