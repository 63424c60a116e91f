/**
 * Seed cost rules for the GCP side: `spot_instance_target: 0.6` of GPU capacity, and
 * `max_idle_time: 15` minutes. Capacity is counted in GPUs at each pool's maximum size (the
 * share the autoscaler can reach), across every GPU node pool of the stack, which is why the
 * spot share is a stack policy: no single pool can tell.
 *
 * GKE has no per-pool idle timer. What the program controls is that every GPU pool is
 * autoscaled with room to shrink, and that its cluster runs the autoscaling profile that
 * removes unneeded nodes soonest (OPTIMIZE_UTILIZATION; BALANCED keeps spare nodes longer).
 */
import { PolicyResource } from "@pulumi/policy";
import { costRules } from "../../domain/targets";
import { gpusPerNode, isSpotNodeConfig, poolBounds } from "../../tools/model/compute";
import { configSchema, fraction, settings, stringList } from "../lib/config";
import { fix, percent, show, subject, violation } from "../lib/messages";
import { stackPolicy } from "../lib/policy";
import { isType, resourceTypes } from "../../tools/model/resourceTypes";
import { isUnknown, known, snapshot, Unknown } from "../../tools/model/values";

interface GpuPool {
    resource: PolicyResource;
    props: Record<string, unknown>;
    gpusPerNode: number;
    spot: boolean;
}

/** GPU node pools with what is known about them; a pool with unknown GPU facts is left out. */
function gpuPools(resources: readonly PolicyResource[]): { pools: GpuPool[]; undecided: number } {
    const pools: GpuPool[] = [];
    let undecided = 0;
    for (const resource of resources) {
        if (!isType(resource, resourceTypes.gkeNodePool)) continue;
        const props = snapshot(resource.props) as Record<string, unknown>;
        const nodeConfig = known(props.nodeConfig as Record<string, unknown> | Unknown);
        if (isUnknown(props.nodeConfig)) {
            undecided++;
            continue;
        }
        const gpus = gpusPerNode(nodeConfig);
        const spot = nodeConfig ? isSpotNodeConfig(nodeConfig) : false;
        if (isUnknown(gpus) || isUnknown(spot)) {
            undecided++;
            continue;
        }
        if (gpus !== undefined && gpus > 0) pools.push({ resource, props, gpusPerNode: gpus, spot });
    }
    return { pools, undecided };
}

const shareSchema = configSchema({
    minSpotShare: fraction(
        costRules.gcp.spotInstanceTarget,
        "Least share of the stack's GKE GPU capacity (GPUs at each pool's maximum size) that is spot (seed gcp spot_instance_target).",
    ),
});

export const gkeGpuSpotShare = stackPolicy({
    name: "gke-gpu-spot-share",
    description:
        "At least 60% of the stack's GKE GPU capacity, counted in GPUs at each pool's maximum size, is spot (seed cost rule gcp spot_instance_target).",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: shareSchema,
    validateStack: (args, report) => {
        const { minSpotShare } = settings<{ minSpotShare: number }>(args, shareSchema);
        const { pools, undecided } = gpuPools(args.resources);
        if (undecided > 0) return; // a pool's GPUs are not known yet: the share cannot be judged
        if (pools.length === 0) args.notApplicable("the stack has no GKE GPU node pools");
        let spotGpus = 0;
        let totalGpus = 0;
        const onDemand: string[] = [];
        for (const pool of pools) {
            const bounds = poolBounds(pool.props);
            if (isUnknown(bounds)) return;
            const gpus = bounds.max * pool.gpusPerNode;
            totalGpus += gpus;
            if (pool.spot) spotGpus += gpus;
            else onDemand.push(`${pool.resource.name} (${bounds.max} nodes × ${pool.gpusPerNode} GPUs)`);
        }
        if (totalGpus === 0) return;
        const share = spotGpus / totalGpus;
        if (Number(share.toFixed(9)) < minSpotShare) {
            report(
                violation({
                    resource: "GKE GPU capacity of the stack",
                    what: "the spot share",
                    found: `${percent(share)} (${spotGpus} of ${totalGpus} GPUs; on demand: ${onDemand.join(", ")})`,
                    limit: `at least ${percent(minSpotShare)}`,
                    fix: fix("move capacity to spot pools (nodeConfig.spot = true)", `raise migration:h100.spotShare to ${minSpotShare} or more`),
                }),
            );
        }
    },
});

const autoscalingSchema = configSchema({
    scaleDownProfiles: stringList(
        ["OPTIMIZE_UTILIZATION"],
        `Cluster autoscaling profiles that remove idle GPU nodes within the seed's max_idle_time (${costRules.gcp.maxIdleMinutes} minutes).`,
    ),
});

export const gkeGpuAutoscaling = stackPolicy({
    name: "gke-gpu-autoscaling",
    description: `Every GKE GPU node pool is autoscaled with room to scale down, on a cluster whose autoscaling profile removes idle nodes within ${costRules.gcp.maxIdleMinutes} minutes (seed cost rule gcp max_idle_time).`,
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: autoscalingSchema,
    validateStack: (args, report) => {
        const { scaleDownProfiles } = settings<{ scaleDownProfiles: string[] }>(args, autoscalingSchema);
        const { pools } = gpuPools(args.resources);
        if (pools.length === 0) args.notApplicable("the stack has no GKE GPU node pools");
        const clusters = new Map<string, PolicyResource>();
        for (const pool of pools) {
            const resource = subject(pool.resource.type, pool.resource.name);
            const bounds = poolBounds(pool.props);
            if (!isUnknown(bounds)) {
                if (!bounds.autoscaled) {
                    report(
                        violation({
                            resource,
                            what: "autoscaling",
                            found: `not set (fixed at ${bounds.max} nodes)`,
                            limit: "autoscaling with totalMinNodeCount < totalMaxNodeCount",
                            fix: "set autoscaling { totalMinNodeCount: 0, totalMaxNodeCount: N }",
                        }),
                        pool.resource.urn,
                    );
                } else if (bounds.min >= bounds.max) {
                    report(
                        violation({
                            resource,
                            what: "autoscaling",
                            found: `pinned at ${bounds.max} nodes (min = max), so idle nodes are never removed`,
                            limit: "a minimum below the maximum",
                            fix: "lower totalMinNodeCount (to 0 where a cold start is acceptable)",
                        }),
                        pool.resource.urn,
                    );
                }
            }
            for (const cluster of pool.resource.propertyDependencies["cluster"] ?? []) {
                if (isType(cluster, resourceTypes.gkeCluster)) clusters.set(cluster.urn, cluster);
            }
        }
        for (const cluster of clusters.values()) {
            const props = snapshot(cluster.props) as Record<string, unknown>;
            if (isUnknown(props.clusterAutoscaling)) continue;
            const profile = known(props.clusterAutoscaling as Record<string, unknown> | undefined)?.autoscalingProfile;
            if (isUnknown(profile)) continue;
            const effective = typeof profile === "string" ? profile : "BALANCED";
            if (!scaleDownProfiles.includes(effective)) {
                report(
                    violation({
                        resource: subject(cluster.type, cluster.name),
                        what: "clusterAutoscaling.autoscalingProfile",
                        found: profile === undefined ? "not set (GKE uses BALANCED)" : show(profile),
                        limit: `one of ${scaleDownProfiles.join(", ")} (removes idle GPU nodes within ${costRules.gcp.maxIdleMinutes} minutes)`,
                        fix: fix(`set clusterAutoscaling.autoscalingProfile = "${scaleDownProfiles[0]}"`, "migration:gke.autoscalingProfile"),
                    }),
                    cluster.urn,
                );
            }
        }
    },
});
