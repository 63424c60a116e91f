/**
 * Seed cost rule `spot_instance_target: 0.7` for Databricks: workers run on spot capacity that
 * falls back to on-demand (a preemption wave must not fail a training run), the driver stays
 * on demand (losing it loses the cluster), and at full size at least 70% of the workers are spot.
 *
 * On Databricks-on-GCP that is `gcpAttributes.availability = PREEMPTIBLE_WITH_FALLBACK_GCP`
 * with `firstOnDemand ≥ 1`: the first `firstOnDemand` nodes, the driver first, are on demand.
 * Clusters drawing from an instance pool take their capacity from the pool and are skipped.
 */
import { costRules } from "../../domain/targets";
import { at, ClusterSpec, workerBounds } from "../../tools/model/compute";
import { configSchema, fraction, settings, stringList } from "../lib/config";
import { percent, show, subject, violation } from "../lib/messages";
import { onClusterSpecs, resourcePolicy } from "../lib/policy";
import { asNumber, isUnknown, known } from "../../tools/model/values";

const preemptible = new Set(["PREEMPTIBLE_GCP", "PREEMPTIBLE_WITH_FALLBACK_GCP"]);

interface SpotFacts {
    /** As configured, or the API default. */
    availability: string;
    availabilitySet: boolean;
    firstOnDemand: number;
    maxWorkers: number;
}

/** The spot layout of a cluster spec; undefined when it is unknown or comes from a pool. */
function spotFacts(spec: ClusterSpec): SpotFacts | undefined {
    if (spec.instancePoolId !== undefined) return undefined;
    if (isUnknown(spec.gcpAttributes)) return undefined;
    const gcp = known(spec.gcpAttributes as Record<string, unknown> | undefined) ?? {};
    if (isUnknown(gcp.availability) || isUnknown(gcp.firstOnDemand) || isUnknown(gcp.usePreemptibleExecutors)) {
        return undefined;
    }
    const bounds = workerBounds(spec);
    if (bounds === undefined || isUnknown(bounds)) return undefined;
    const legacy = gcp.usePreemptibleExecutors === true ? "PREEMPTIBLE_GCP" : undefined;
    const configured = typeof gcp.availability === "string" ? gcp.availability : legacy;
    return {
        availability: configured ?? "ON_DEMAND_GCP",
        availabilitySet: configured !== undefined,
        firstOnDemand: asNumber(gcp.firstOnDemand) ?? 0,
        maxWorkers: bounds.max,
    };
}

const workersSchema = configSchema({
    workerAvailability: stringList(
        ["PREEMPTIBLE_WITH_FALLBACK_GCP"],
        "gcpAttributes.availability values accepted for clusters with workers: spot that falls back to on-demand.",
    ),
});

export const databricksSpotWorkers = resourcePolicy({
    name: "databricks-spot-workers",
    description:
        "Databricks cluster and job-cluster workers run on spot with on-demand fallback, and the driver on demand (seed cost rule spot_instance_target).",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: workersSchema,
    validateResource: onClusterSpecs(({ path, spec }, args, report) => {
        const { workerAvailability } = settings<{ workerAvailability: string[] }>(args, workersSchema);
        const facts = spotFacts(spec);
        if (!facts) return;
        const resource = subject(args.type, args.name);
        if (facts.maxWorkers > 0 && !workerAvailability.includes(facts.availability)) {
            report(
                violation({
                    resource,
                    what: at(path, "gcpAttributes.availability"),
                    found: facts.availabilitySet ? show(facts.availability) : `not set (the API default is ON_DEMAND_GCP)`,
                    limit: `one of ${workerAvailability.join(", ")}`,
                    fix: `set gcpAttributes.availability = "${workerAvailability[0]}" and firstOnDemand = 1`,
                }),
            );
        }
        if (preemptible.has(facts.availability) && facts.firstOnDemand < 1) {
            report(
                violation({
                    resource,
                    what: at(path, "gcpAttributes.firstOnDemand"),
                    found: `${facts.firstOnDemand} with availability ${facts.availability} (the driver runs on spot)`,
                    limit: "at least 1, so the driver is on demand",
                    fix: "set gcpAttributes.firstOnDemand = 1",
                }),
            );
        }
    }),
});

const shareSchema = configSchema({
    minSpotShare: fraction(
        costRules.databricks.spotInstanceTarget,
        "Least share of a cluster's workers, at its maximum size, that runs on spot (seed databricks spot_instance_target).",
    ),
});

export const databricksSpotShare = resourcePolicy({
    name: "databricks-spot-share",
    description:
        "At least 70% of a Databricks cluster's workers, at its maximum size, run on spot capacity (seed cost rule spot_instance_target).",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: shareSchema,
    validateResource: onClusterSpecs(({ path, spec }, args, report) => {
        const { minSpotShare } = settings<{ minSpotShare: number }>(args, shareSchema);
        const facts = spotFacts(spec);
        if (!facts || facts.maxWorkers === 0) return;
        const workers = facts.maxWorkers;
        // The driver is the first on-demand node; the rest of firstOnDemand are workers.
        const onDemandWorkers = preemptible.has(facts.availability)
            ? Math.min(workers, Math.max(0, facts.firstOnDemand - 1))
            : workers;
        const share = (workers - onDemandWorkers) / workers;
        if (Number(share.toFixed(9)) < minSpotShare) {
            const maxOnDemand = Math.floor(Number((workers * (1 - minSpotShare)).toFixed(9)));
            report(
                violation({
                    resource: subject(args.type, args.name),
                    what: `the spot share of ${at(path, "workers")}`,
                    found: `${percent(share)} (${workers - onDemandWorkers} of ${workers} workers; availability ${facts.availability}, firstOnDemand ${facts.firstOnDemand})`,
                    limit: `at least ${percent(minSpotShare)}`,
                    fix: `use availability PREEMPTIBLE_WITH_FALLBACK_GCP with firstOnDemand at most ${maxOnDemand + 1} (driver + ${maxOnDemand} workers)`,
                }),
            );
        }
    }),
});
