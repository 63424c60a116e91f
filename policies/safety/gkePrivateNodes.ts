/**
 * GKE nodes get no public IP: the cluster's nodes are private (egress through Cloud NAT) and
 * no node pool opts out.
 */
import { configSchema } from "../lib/config";
import { show, subject, violation } from "../lib/messages";
import { onResource, resourcePolicy } from "../lib/policy";
import { GkeClusterProps, GkeNodePoolProps, resourceTypes } from "../../tools/model/resourceTypes";
import { isUnknown, known } from "../../tools/model/values";

const schema = configSchema({});

export const gkePrivateNodes = resourcePolicy({
    name: "gke-private-nodes",
    description: "GKE nodes have no public IP addresses: private clusters, and no node pool that opts out.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: schema,
    validateResource: [
        onResource<GkeClusterProps>(resourceTypes.gkeCluster, (cluster, args, report) => {
            if (isUnknown(cluster.privateClusterConfig)) return;
            const privateNodes = known(cluster.privateClusterConfig)?.enablePrivateNodes;
            if (isUnknown(privateNodes) || privateNodes === true) return;
            report(
                violation({
                    resource: subject(args.type, args.name),
                    what: "privateClusterConfig.enablePrivateNodes",
                    found: privateNodes === undefined ? "not set (nodes get public IPs)" : show(privateNodes),
                    limit: "true",
                    fix: "set privateClusterConfig { enablePrivateNodes: true, masterIpv4CidrBlock } and route egress through Cloud NAT",
                }),
            );
        }),
        onResource<GkeNodePoolProps>(resourceTypes.gkeNodePool, (pool, args, report) => {
            if (isUnknown(pool.networkConfig)) return;
            const privateNodes = known(pool.networkConfig)?.enablePrivateNodes;
            if (privateNodes !== false) return;
            report(
                violation({
                    resource: subject(args.type, args.name),
                    what: "networkConfig.enablePrivateNodes",
                    found: "false (this pool's nodes get public IPs)",
                    limit: "true or not set (inherits the private cluster)",
                    fix: "remove networkConfig.enablePrivateNodes or set it to true",
                }),
            );
        }),
    ],
});
