import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { hardenedNodeConfig, nodeManagement } from "./nodeHardening";
import { MigrationComponent } from "../stateful";

export interface ArmNodePoolArgs {
    cluster: pulumi.Input<string>;
    location: string;
    machineType: string;
    minNodes: number;
    maxNodes: number;
    diskType: string;
    diskSizeGb: number;
    spot: boolean;
    serviceAccount: pulumi.Input<string>;
    labels: Record<string, string>;
}

/**
 * The C4A (Axion, Arm) pool for data processing. C4A boots only from Hyperdisk. GKE taints Arm
 * nodes `kubernetes.io/arch=arm64:NoSchedule` itself, so only workloads that tolerate it (or
 * select the arch) land there; the pool declares no taint of its own, which would only repeat
 * GKE's and put a taint GKE manages under the provider's management.
 */
export class ArmNodePool extends MigrationComponent {
    readonly nodePool: gcp.container.NodePool;

    constructor(name: string, args: ArmNodePoolArgs, opts?: pulumi.ComponentResourceOptions) {
        super("migration:gcp:ArmNodePool", name, {}, opts);
        const problems: string[] = [];
        if (!args.machineType.startsWith("c4a-")) problems.push(`machineType "${args.machineType}": expected a c4a-* type`);
        if (!args.diskType.startsWith("hyperdisk-")) {
            problems.push(`diskType "${args.diskType}": C4A boots only from Hyperdisk (hyperdisk-balanced, -extreme, -throughput)`);
        }
        if (args.minNodes < 0 || args.minNodes > args.maxNodes) {
            problems.push(`minNodes ${args.minNodes}: expected from 0 to maxNodes (${args.maxNodes})`);
        }
        if (problems.length > 0) throw new Error(`ArmNodePool ${name}: ${problems.join("; ")}`);

        this.nodePool = new gcp.container.NodePool(
            name,
            {
                cluster: args.cluster,
                location: args.location,
                autoscaling: { totalMinNodeCount: args.minNodes, totalMaxNodeCount: args.maxNodes, locationPolicy: "BALANCED" },
                management: nodeManagement,
                nodeConfig: {
                    machineType: args.machineType,
                    spot: args.spot,
                    diskType: args.diskType,
                    diskSizeGb: args.diskSizeGb,
                    ...hardenedNodeConfig(args.serviceAccount),
                    labels: { workload: args.labels.workload, capacity: args.spot ? "spot" : "on-demand" },
                    resourceLabels: args.labels,
                },
            },
            { parent: this },
        );
        this.registerOutputs({ nodePoolName: this.nodePool.name });
    }
}
