import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { MigrationComponent } from "../stateful";

export interface NetworkArgs {
    region: string;
    subnetCidr: string;
    podsCidr: string;
    servicesCidr: string;
}

/** Secondary range names the GKE cluster's IP allocation policy refers to. */
export const podsRangeName = "pods";
export const servicesRangeName = "services";

/**
 * The VPC the GKE cluster (and, from phase 1, the Databricks workspace) lives in: one
 * regional subnet with private Google access, and Cloud NAT so that private nodes reach
 * registries and Google APIs without public IPs.
 */
export class Network extends MigrationComponent {
    readonly network: gcp.compute.Network;
    readonly subnet: gcp.compute.Subnetwork;
    readonly router: gcp.compute.Router;
    readonly nat: gcp.compute.RouterNat;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("migration:gcp:Network", name, {}, opts);
        const parent = { parent: this };

        this.network = new gcp.compute.Network(
            `${name}-vpc`,
            { autoCreateSubnetworks: false, routingMode: "REGIONAL", description: "ML platform VPC" },
            parent,
        );
        this.subnet = new gcp.compute.Subnetwork(
            `${name}-subnet`,
            {
                network: this.network.id,
                region: args.region,
                ipCidrRange: args.subnetCidr,
                privateIpGoogleAccess: true,
                secondaryIpRanges: [
                    { rangeName: podsRangeName, ipCidrRange: args.podsCidr },
                    { rangeName: servicesRangeName, ipCidrRange: args.servicesCidr },
                ],
                logConfig: { aggregationInterval: "INTERVAL_10_MIN", flowSampling: 0.5, metadata: "INCLUDE_ALL_METADATA" },
            },
            parent,
        );
        this.router = new gcp.compute.Router(
            `${name}-router`,
            { network: this.network.id, region: args.region },
            parent,
        );
        this.nat = new gcp.compute.RouterNat(
            `${name}-nat`,
            {
                router: this.router.name,
                region: args.region,
                natIpAllocateOption: "AUTO_ONLY",
                sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
                logConfig: { enable: true, filter: "ERRORS_ONLY" },
            },
            parent,
        );
        this.registerOutputs({ networkId: this.network.id, subnetId: this.subnet.id });
    }
}
