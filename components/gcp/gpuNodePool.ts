import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { hardenedNodeConfig, nodeManagement } from "./nodeHardening";
import { MigrationComponent } from "../stateful";

export interface GpuNodePoolArgs {
    cluster: pulumi.Input<string>;
    location: string;
    nodeLocations: readonly string[];
    machineType: string;
    accelerator: { type: string; count: number };
    gpuDriverVersion: "DEFAULT" | "LATEST";
    spot: boolean;
    minNodes: number;
    maxNodes: number;
    diskType: string;
    diskSizeGb: number;
    serviceAccount: pulumi.Input<string>;
    compactPlacement: boolean;
    /** A specific Compute Engine reservation to consume; on-demand pools only. Without one, any matching reservation. */
    reservation?: string;
    labels: Record<string, string>;
}

/**
 * One autoscaled GPU node pool (spot or on-demand). GKE installs the NVIDIA driver itself
 * (`gpuDriverInstallationConfig`), taints GPU nodes `nvidia.com/gpu`, and scales the pool
 * to `minNodes` (zero allowed) when idle.
 */
export class GpuNodePool extends MigrationComponent {
    readonly nodePool: gcp.container.NodePool;

    constructor(name: string, args: GpuNodePoolArgs, opts?: pulumi.ComponentResourceOptions) {
        super("migration:gcp:GpuNodePool", name, {}, opts);
        const problems: string[] = [];
        if (args.maxNodes < 1) problems.push(`maxNodes ${args.maxNodes}: expected at least 1`);
        if (args.minNodes < 0 || args.minNodes > args.maxNodes) {
            problems.push(`minNodes ${args.minNodes}: expected from 0 to maxNodes (${args.maxNodes})`);
        }
        if (args.spot && args.reservation) {
            problems.push(`reservation "${args.reservation}": spot capacity cannot consume a reservation`);
        }
        if (problems.length > 0) throw new Error(`GpuNodePool ${name}: ${problems.join("; ")}`);

        const capacity = args.spot ? "spot" : "on-demand";
        // Compact placement keeps the nodes of a pool in one zone, close together (NCCL traffic).
        const nodeLocations = args.compactPlacement ? args.nodeLocations.slice(0, 1) : [...args.nodeLocations];

        this.nodePool = new gcp.container.NodePool(
            name,
            {
                cluster: args.cluster,
                location: args.location,
                nodeLocations,
                autoscaling: {
                    totalMinNodeCount: args.minNodes,
                    totalMaxNodeCount: args.maxNodes,
                    // Spot obtains capacity wherever it is free; on-demand stays balanced across zones.
                    locationPolicy: args.spot ? "ANY" : "BALANCED",
                },
                management: nodeManagement,
                placementPolicy: args.compactPlacement ? { type: "COMPACT" } : undefined,
                nodeConfig: {
                    machineType: args.machineType,
                    spot: args.spot,
                    guestAccelerators: [
                        {
                            type: args.accelerator.type,
                            count: args.accelerator.count,
                            gpuDriverInstallationConfig: { gpuDriverVersion: args.gpuDriverVersion },
                        },
                    ],
                    diskType: args.diskType,
                    diskSizeGb: args.diskSizeGb,
                    ...hardenedNodeConfig(args.serviceAccount),
                    reservationAffinity: reservationAffinity(args),
                    labels: { workload: args.labels.workload, capacity },
                    resourceLabels: { ...args.labels, capacity },
                },
            },
            { parent: this },
        );
        this.registerOutputs({ nodePoolName: this.nodePool.name });
    }
}

/**
 * Which reservations a pool's nodes may consume. A3 capacity is mostly obtained through
 * reservations (or flex-start, or spot), so an on-demand pool takes any matching reservation
 * of the project (`ANY_RESERVATION`), or only the one named; `NO_RESERVATION` would leave a
 * reservation the project pays for unused while the pool fails to find capacity. Spot nodes
 * do not consume reservations: they say so.
 */
export function reservationAffinity(args: Pick<GpuNodePoolArgs, "spot" | "reservation">): {
    consumeReservationType: "ANY_RESERVATION" | "SPECIFIC_RESERVATION" | "NO_RESERVATION";
    key?: string;
    values?: string[];
} {
    if (args.spot) return { consumeReservationType: "NO_RESERVATION" };
    if (args.reservation) {
        return { consumeReservationType: "SPECIFIC_RESERVATION", key: "compute.googleapis.com/reservation-name", values: [args.reservation] };
    }
    return { consumeReservationType: "ANY_RESERVATION" };
}
