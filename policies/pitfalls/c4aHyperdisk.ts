/**
 * Pitfall: C4A (Axion, Arm) machines boot only from Hyperdisk; a Persistent Disk type (or
 * GKE's default pd-balanced) fails at node creation. Checked on GKE node pools, the cluster's
 * default node config and plain Compute Engine instances.
 */
import { configSchema, settings, stringList } from "../lib/config";
import { show, subject, violation } from "../lib/messages";
import { onResource, resourcePolicy } from "../lib/policy";
import { ComputeInstanceProps, GkeClusterProps, GkeNodePoolProps, resourceTypes } from "../../tools/model/resourceTypes";
import { isUnknown, known } from "../../tools/model/values";

const schema = configSchema({
    machineFamilies: stringList(["c4a"], "Machine families that boot only from Hyperdisk."),
    diskTypes: stringList(
        ["hyperdisk-balanced", "hyperdisk-extreme", "hyperdisk-throughput"],
        "Disk types accepted for those families.",
    ),
});

interface Settings {
    machineFamilies: string[];
    diskTypes: string[];
}

function check(
    machineType: unknown,
    diskType: unknown,
    defaultDisk: string,
    what: string,
    args: { type: string; name: string; getConfig<C extends object>(): C },
    report: (message: string) => void,
): void {
    const { machineFamilies, diskTypes } = settings<Settings>(args, schema);
    if (isUnknown(machineType) || isUnknown(diskType) || typeof machineType !== "string") return;
    if (!machineFamilies.some((family) => machineType.startsWith(`${family}-`))) return;
    if (typeof diskType === "string" && diskTypes.includes(diskType)) return;
    report(
        violation({
            resource: subject(args.type, args.name),
            what,
            found: diskType === undefined ? `not set (defaults to ${defaultDisk}) for ${machineType}` : `${show(diskType)} for ${machineType}`,
            limit: `one of ${diskTypes.join(", ")}`,
            fix: `set ${what} = "${diskTypes[0]}"`,
        }),
    );
}

type NodeConfig = { machineType?: unknown; diskType?: unknown } | undefined;

export const c4aHyperdisk = resourcePolicy({
    name: "c4a-hyperdisk",
    description: "C4A (Arm) machines use Hyperdisk boot disks; they cannot boot from Persistent Disk.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: schema,
    validateResource: [
        onResource<GkeNodePoolProps>(resourceTypes.gkeNodePool, (pool, args, report) => {
            const node = known(pool.nodeConfig) as NodeConfig;
            if (node) check(node.machineType, node.diskType, "pd-balanced", "nodeConfig.diskType", args, report);
        }),
        onResource<GkeClusterProps>(resourceTypes.gkeCluster, (cluster, args, report) => {
            const node = known(cluster.nodeConfig) as NodeConfig;
            if (node) check(node.machineType, node.diskType, "pd-balanced", "nodeConfig.diskType", args, report);
        }),
        onResource<ComputeInstanceProps>(resourceTypes.computeInstance, (instance, args, report) => {
            const params = known(known(instance.bootDisk)?.initializeParams);
            if (isUnknown(instance.bootDisk)) return;
            check(instance.machineType, params?.type, "pd-standard", "bootDisk.initializeParams.type", args, report);
        }),
    ],
});
