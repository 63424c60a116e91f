/**
 * Prices of the GCP resources that cost money by the hour or the GB: GKE node pools (machine
 * + boot disk, spot or on demand, between their autoscaling bounds), the GKE cluster fee,
 * Cloud Storage buckets and BigQuery datasets.
 */
import type { PerTrainingBasis, TrainingPoolShare } from "./equalWork";
import { PoolBounds, poolBounds, regionalDefaultZones } from "../compute";
import { isUnknown } from "../values";
import { formatNumber, list, num, overrideFix, priceOf, PricedResource, PricingContext, record, str, Unpriced } from "./lines";
import { labelOf } from "../labels";

export interface PricedAmount {
    monthlyUsd: number;
    perTrainingUsd?: number;
    /** A GKE pool of the reference training run: its part of the run is priced per GPU-hour (equalWork.ts). */
    trainingPool?: TrainingPoolShare;
    /** What a training job's run rests on, when its training task is priced at equal work. */
    perTrainingBasis?: { basis: PerTrainingBasis; short: string; detail: string };
    detail: string;
    assumptions: string[];
    prices: string[];
}

export const gcpPricers: Record<string, (r: PricedResource, ctx: PricingContext) => PricedAmount> = {
    "gcp:container/nodePool:NodePool": priceNodePool,
    "gcp:container/cluster:Cluster": priceGkeCluster,
    "gcp:storage/bucket:Bucket": priceBucket,
    "gcp:bigquery/dataset:Dataset": priceDataset,
};

/** GKE's default boot disk when a pool names none. */
const defaultDisk = { type: "pd-balanced", sizeGb: 100 };

/** The pool's node bounds by the read-model's one zone rule; a pool that states no size is not priced. */
function nodeBounds(r: PricedResource, ctx: PricingContext): PoolBounds {
    const autoscaling = record(r.inputs.autoscaling);
    const sized = [autoscaling.totalMaxNodeCount, autoscaling.maxNodeCount, r.inputs.nodeCount, r.inputs.initialNodeCount].some((v) => num(v) !== undefined);
    const bounds = sized ? poolBounds(r.inputs) : undefined;
    if (bounds === undefined || isUnknown(bounds)) throw new Unpriced("the pool has neither autoscaling bounds nor a node count");
    if (bounds.zonesAssumed) ctx.warn(`${r.urn}: per-zone node counts without nodeLocations; priced for ${regionalDefaultZones} zone(s)`);
    return bounds;
}

function priceNodePool(r: PricedResource, ctx: PricingContext): PricedAmount {
    const { catalog, usage } = ctx;
    const prices: string[] = [];
    const nodeConfig = record(r.inputs.nodeConfig);
    const machineType = str(nodeConfig.machineType);
    if (!machineType) throw new Unpriced("nodeConfig.machineType is not set, so the node price is unknown; set it explicitly");
    const spot = nodeConfig.spot === true || nodeConfig.preemptible === true;
    const field = spot ? "spotUsdPerHour" : "onDemandUsdPerHour";
    const nodeUsdPerHour = priceOf(prices, catalog.gcp.machines, "gcp.machines", machineType, field, overrideFix(`gcp.machines.${machineType}.${field}`));

    const machine = catalog.gcp.machines[machineType]!;
    for (const accelerator of list(nodeConfig.guestAccelerators)) {
        const count = num(accelerator.count) ?? 0;
        if (count === 0) continue;
        if (!machine.accelerator) {
            throw new Unpriced(
                `${count} × ${String(accelerator.type)} attached to ${machineType}: attached GPUs are priced separately and the catalog has no price for them`,
            );
        }
        if (accelerator.type !== machine.accelerator.type || count !== machine.accelerator.count) {
            ctx.warn(
                `${r.urn}: ${machineType} comes with ${machine.accelerator.count} × ${machine.accelerator.type}, the pool asks for ${count} × ${String(accelerator.type)}; priced as the machine type`,
            );
        }
    }

    const diskType = str(nodeConfig.diskType) ?? defaultDisk.type;
    const diskSizeGb = num(nodeConfig.diskSizeGb) ?? defaultDisk.sizeGb;
    const diskUsdPerGbMonth = priceOf(prices, catalog.gcp.disks, "gcp.disks", diskType, "usdPerGbMonth", overrideFix(`gcp.disks.${diskType}.usdPerGbMonth`));

    const bounds = nodeBounds(r, ctx);
    const hours = usage.hoursPerMonth;
    const assumptions: string[] = [];
    const workload = labelOf(r.type, r.inputs, "workload");
    const task = workload ? usage.training.gkeWorkloadTask[workload] : undefined;
    const taskHours = task !== undefined ? usage.training.taskHours[task] : undefined;
    let hoursAtMax: number;
    const configured = usage.gke.pools[r.name]?.hoursAtMax;
    if (configured !== undefined) {
        hoursAtMax = configured;
        assumptions.push(`at max ${formatNumber(hoursAtMax)} h/month (cost.gke.pools.${r.name}.hoursAtMax)`);
    } else if (taskHours !== undefined) {
        hoursAtMax = usage.training.runsPerMonth * taskHours;
        assumptions.push(
            `at max while the training workflow's ${task} task runs: ${formatNumber(usage.training.runsPerMonth)} runs × ${formatNumber(taskHours)} h (cost.training)`,
        );
    } else {
        hoursAtMax = usage.gke.defaultHoursAtMax;
        assumptions.push(`at max ${formatNumber(hoursAtMax)} h/month (cost.gke.defaultHoursAtMax)`);
    }
    if (hoursAtMax > hours) {
        ctx.warn(`${r.urn}: ${formatNumber(hoursAtMax)} h/month at max exceeds the ${formatNumber(hours)} h of a month; capped`);
        hoursAtMax = hours;
    }
    assumptions.push(`at min (${bounds.min}) the rest of the ${formatNumber(hours)} h month`);

    const nodeHours = bounds.min * hours + (bounds.max - bounds.min) * hoursAtMax;
    const diskUsdPerNodeHour = (diskSizeGb * diskUsdPerGbMonth) / hours;
    const perNodeHour = nodeUsdPerHour + diskUsdPerNodeHour;
    const monthlyUsd = nodeHours * perNodeHour;
    // The reference run's GPU task is priced per GPU-hour over all its pools (estimate.ts); another task at the pool's maximum.
    const reference = ctx.trainingReference;
    const gpuTask = reference !== undefined && task === reference.task && machine.accelerator !== undefined;
    const perTrainingUsd = taskHours !== undefined && !gpuTask ? bounds.max * taskHours * perNodeHour : undefined;
    const range = bounds.min === bounds.max ? `${bounds.max}` : `${bounds.min}–${bounds.max}`;
    return {
        monthlyUsd,
        perTrainingUsd,
        ...(gpuTask ? { trainingPool: { nodes: bounds.max, gpusPerNode: machine.accelerator!.count, nodeUsdPerHour: perNodeHour } } : {}),
        detail: `${range} × ${machineType} ${spot ? "spot" : "on demand"} + ${diskSizeGb} GB ${diskType}, ${formatNumber(nodeHours)} node-h (${bounds.how})`,
        assumptions,
        prices,
    };
}

function priceGkeCluster(_r: PricedResource, ctx: PricingContext): PricedAmount {
    const prices: string[] = [];
    const fee = priceOf(prices, ctx.catalog.gcp.gke, "gcp.gke", "clusterManagement", "usdPerHour", overrideFix("gcp.gke.clusterManagement.usdPerHour"));
    return {
        monthlyUsd: fee * ctx.usage.hoursPerMonth,
        detail: `cluster management fee × ${formatNumber(ctx.usage.hoursPerMonth)} h`,
        assumptions: [],
        prices,
    };
}

const multiRegions = new Set(["US", "EU", "ASIA"]);

function priceBucket(r: PricedResource, ctx: PricingContext): PricedAmount {
    const prices: string[] = [];
    const storageClass = (str(r.inputs.storageClass) ?? "STANDARD").toUpperCase();
    const location = (str(r.inputs.location) ?? "US").toUpperCase();
    const multiRegion = multiRegions.has(location);
    if (!multiRegion && !/^[A-Z]+-[A-Z]+\d+$/.test(location)) {
        throw new Unpriced(`bucket location ${location} is a dual-region; the catalog prices regions and the US/EU/ASIA multi-regions only`);
    }
    if (!multiRegion && location.toLowerCase() !== ctx.catalog.region) {
        ctx.warn(`${r.urn}: bucket in ${location.toLowerCase()} priced at ${ctx.catalog.region} rates`);
    }
    const field = multiRegion ? "multiRegionUsdPerGbMonth" : "regionUsdPerGbMonth";
    const rate = priceOf(prices, ctx.catalog.gcp.gcs, "gcp.gcs", storageClass, field, overrideFix(`gcp.gcs.${storageClass}.${field}`));
    const { gb, assumption } = storageGb(r, ctx, "defaultBucketGb");
    return {
        monthlyUsd: gb * rate,
        detail: `${formatNumber(gb)} GB ${storageClass} (${multiRegion ? `${location} multi-region` : location.toLowerCase()})`,
        assumptions: [assumption],
        prices,
    };
}

function priceDataset(r: PricedResource, ctx: PricingContext): PricedAmount {
    const prices: string[] = [];
    const rate = priceOf(
        prices,
        ctx.catalog.gcp.bigquery,
        "gcp.bigquery",
        "activeLogicalStorage",
        "usdPerGbMonth",
        overrideFix("gcp.bigquery.activeLogicalStorage.usdPerGbMonth"),
    );
    const { gb, assumption } = storageGb(r, ctx, "defaultDatasetGb");
    return { monthlyUsd: gb * rate, detail: `${formatNumber(gb)} GB active logical storage`, assumptions: [assumption], prices };
}

function storageGb(r: PricedResource, ctx: PricingContext, fallback: "defaultBucketGb" | "defaultDatasetGb"): { gb: number; assumption: string } {
    const configured = ctx.usage.storage.gb[r.name];
    if (configured !== undefined) return { gb: configured, assumption: `${formatNumber(configured)} GB stored (cost.storage.gb.${r.name})` };
    const gb = ctx.usage.storage[fallback];
    return { gb, assumption: `${formatNumber(gb)} GB stored (cost.storage.${fallback})` };
}
