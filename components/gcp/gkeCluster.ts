import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { MigrationComponent } from "../stateful";

export interface GkeClusterArgs {
    project: string;
    region: string;
    networkId: pulumi.Input<string>;
    subnetId: pulumi.Input<string>;
    podsRangeName: string;
    servicesRangeName: string;
    masterCidr: string;
    masterAuthorizedCidrs: readonly string[];
    releaseChannel: "RAPID" | "REGULAR" | "STABLE";
    /** OPTIMIZE_UTILIZATION removes idle nodes sooner than BALANCED (the seed's 15-minute idle rule). */
    autoscalingProfile: "OPTIMIZE_UTILIZATION" | "BALANCED";
    deletionProtection: boolean;
    labels: Record<string, string>;
}

/** Least-privilege roles a GKE node needs to log, export metrics and pull images. */
export const nodeServiceAccountRoles = [
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
    "roles/artifactregistry.reader",
] as const;

/**
 * The private GKE cluster that runs today's H100 and C4A workloads: private nodes, workload
 * identity, Google Cloud Managed Service for Prometheus with DCGM GPU metrics (the GPU
 * utilisation the cost rules watch), a release channel, and a dedicated node service account
 * instead of the Compute Engine default one. Node pools are separate components.
 */
export class GkeCluster extends MigrationComponent {
    readonly cluster: gcp.container.Cluster;
    readonly nodeServiceAccount: gcp.serviceaccount.Account;

    constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("migration:gcp:GkeCluster", name, {}, opts);
        const parent = { parent: this };

        this.nodeServiceAccount = new gcp.serviceaccount.Account(
            `${name}-nodes`,
            { accountId: `${name}-nodes`.slice(0, 30), displayName: `GKE nodes of ${name}` },
            parent,
        );
        const roleBindings = nodeServiceAccountRoles.map(
            (role) =>
                new gcp.projects.IAMMember(
                    `${name}-nodes-${role.split("/")[1].replace(/\./g, "-")}`,
                    { project: args.project, role, member: pulumi.interpolate`serviceAccount:${this.nodeServiceAccount.email}` },
                    parent,
                ),
        );

        this.cluster = new gcp.container.Cluster(
            name,
            {
                location: args.region,
                network: args.networkId,
                subnetwork: args.subnetId,
                networkingMode: "VPC_NATIVE",
                ipAllocationPolicy: {
                    clusterSecondaryRangeName: args.podsRangeName,
                    servicesSecondaryRangeName: args.servicesRangeName,
                },
                privateClusterConfig: {
                    enablePrivateNodes: true,
                    enablePrivateEndpoint: false,
                    masterIpv4CidrBlock: args.masterCidr,
                },
                masterAuthorizedNetworksConfig: {
                    cidrBlocks: args.masterAuthorizedCidrs.map((cidrBlock) => ({ cidrBlock, displayName: cidrBlock })),
                },
                // Authorised networks default to none, which closes the IP endpoint to everyone outside
                // the VPC, CI included. The DNS-based endpoint is reachable from anywhere Google APIs
                // are and is gated by IAM (container.clusters.connect), not by source addresses.
                controlPlaneEndpointsConfig: { dnsEndpointConfig: { allowExternalTraffic: true } },
                workloadIdentityConfig: { workloadPool: `${args.project}.svc.id.goog` },
                releaseChannel: { channel: args.releaseChannel },
                monitoringConfig: {
                    enableComponents: ["SYSTEM_COMPONENTS", "DCGM"],
                    managedPrometheus: { enabled: true },
                },
                loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS", "WORKLOADS"] },
                clusterAutoscaling: { autoscalingProfile: args.autoscalingProfile },
                // Node pools are managed as their own resources; the default pool only bootstraps.
                removeDefaultNodePool: true,
                initialNodeCount: 1,
                nodeConfig: { serviceAccount: this.nodeServiceAccount.email, oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"] },
                deletionProtection: args.deletionProtection,
                resourceLabels: args.labels,
            },
            { parent: this, dependsOn: roleBindings },
        );
        this.registerOutputs({ clusterName: this.cluster.name, endpoint: this.cluster.endpoint });
    }

    /**
     * A kubeconfig for the Kubernetes provider, built from the cluster's outputs. `dns` (the
     * default) uses the DNS-based endpoint: reachable wherever Google APIs are, gated by IAM
     * (`container.clusters.connect`), with a publicly trusted certificate, so it needs no CA.
     * `ip` uses the IP endpoint and the cluster's CA; it answers only the authorised networks
     * (`migration:gke.masterAuthorizedCidrs`) and the VPC.
     */
    kubeconfig(endpoint: KubernetesEndpoint): pulumi.Output<string> {
        const dnsEndpoint = this.cluster.controlPlaneEndpointsConfig.apply((c) => c?.dnsEndpointConfig?.endpoint);
        return pulumi
            .all([this.cluster.name, dnsEndpoint, this.cluster.endpoint, this.cluster.masterAuth.clusterCaCertificate])
            .apply(([name, dns, ip, ca]) =>
                endpoint === "dns" ? gkeKubeconfig({ name, server: `https://${dns}` }) : gkeKubeconfig({ name, server: `https://${ip}`, caData: ca }),
            );
    }
}

export type KubernetesEndpoint = "dns" | "ip";

/**
 * A kubeconfig (JSON) that authenticates with `gke-gcloud-auth-plugin`: short-lived tokens of
 * whoever runs Pulumi, never a stored credential. The plugin must be on the PATH of the machine
 * that runs `pulumi up` (`gcloud components install gke-gcloud-auth-plugin`).
 */
export function gkeKubeconfig(cluster: { name: string; server: string; caData?: string }): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: cluster.name, cluster: { server: cluster.server, ...(cluster.caData ? { "certificate-authority-data": cluster.caData } : {}) } }],
        users: [
            {
                name: cluster.name,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "gke-gcloud-auth-plugin",
                        installHint: "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin",
                        provideClusterInfo: true,
                        interactiveMode: "Never",
                    },
                },
            },
        ],
        contexts: [{ name: cluster.name, context: { cluster: cluster.name, user: cluster.name } }],
        "current-context": cluster.name,
    });
}
