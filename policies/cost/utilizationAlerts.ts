/**
 * Seed cost rules `min_gpu_utilization: 0.85` and `min_dbu_utilization: 0.8`: a floor is only
 * enforced if someone is told when it is crossed, so every GKE GPU pool and every Databricks
 * cluster must be covered by an alert that fires when utilisation drops below the floor.
 *
 * Recognised alerts:
 * - GCP `monitoring.AlertPolicy` conditions on a GPU utilisation metric (`…/accelerator/duty_cycle`,
 *   DCGM `DCGM_FI_DEV_GPU_UTIL`), threshold below-comparisons or PromQL/MQL `< x` queries;
 * - Databricks `Alert` / `SqlAlert` on a utilisation query (`LESS_THAN x`).
 * An alert covers a target when it (or its query) depends on the target, names it, names its
 * GKE cluster without narrowing to node pools, or is not narrowed to any cluster at all.
 * Thresholds above 1 are read as percentages. Unified monitoring arrives with phase 3, so the
 * rule applies from that phase on (configurable).
 */
import { PolicyResource, ReportViolation } from "@pulumi/policy";
import { costRules, phaseCapabilities } from "../../domain/targets";
import { gpusPerNode } from "../../tools/model/compute";
import { configSchema, count, fraction, settings } from "../lib/config";
import { percent, subject, violation } from "../lib/messages";
import { stackPhase } from "../../tools/model/labels";
import { snapshots, stackPolicy } from "../lib/policy";
import { isType, resourceTypes } from "../../tools/model/resourceTypes";
import { asNumber, hasUnknown, isUnknown, known, snapshot, strings, unknown, Unknown } from "../../tools/model/values";

/** DESIGN "Phases": phase 3 (hybrid operation) adds the unified monitoring dashboard and alerts. */
export const unifiedMonitoringPhase = phaseCapabilities.unifiedMonitoring;

const schema = configSchema({
    minGpuUtilization: fraction(
        costRules.gcp.minGpuUtilization,
        "GPU utilisation floor an alert must watch on every GKE GPU pool (seed gcp min_gpu_utilization).",
    ),
    minDbuUtilization: fraction(
        costRules.databricks.minDbuUtilization,
        "Utilisation floor an alert must watch on every Databricks cluster (seed databricks min_dbu_utilization).",
    ),
    fromPhase: count(unifiedMonitoringPhase, "Phase from which the alerts are required (the phase that adds unified monitoring)."),
});

interface Settings {
    minGpuUtilization: number;
    minDbuUtilization: number;
    fromPhase: number;
}

interface FloorAlert {
    resource: PolicyResource;
    /** Filters, queries and names, lower-cased, for coverage by name. */
    text: string;
    /** The utilisation below which it fires, as a fraction; undefined if it watches no floor. */
    floor?: number;
    /** URNs the alert (or its query) depends on. */
    dependsOn: Set<string>;
}

const gpuMetric = /duty_cycle|dcgm_fi_dev_gpu_util|gpu_util/i;
const dbuMetric = /utili[sz]ation|cpu_user_percent|dbu/i;

const asFraction = (value: number) => (value > 1 ? value / 100 : value);

function belowIn(query: string): number | undefined {
    const match = /<=?\s*([0-9]*\.?[0-9]+)/.exec(query);
    return match ? asFraction(Number(match[1])) : undefined;
}

function dependencyUrns(resource: PolicyResource): Set<string> {
    const urns = new Set(resource.dependencies.map((d) => d.urn));
    for (const list of Object.values(resource.propertyDependencies)) for (const d of list) urns.add(d.urn);
    return urns;
}

/** GPU floor alerts of the stack, or "unknown" when one of them cannot be read yet. */
function gpuAlerts(resources: readonly PolicyResource[]): FloorAlert[] | Unknown {
    const alerts: FloorAlert[] = [];
    for (const resource of resources) {
        if (!isType(resource, resourceTypes.alertPolicy)) continue;
        const props = snapshot(resource.props) as Record<string, unknown>;
        if (hasUnknown(props.conditions)) return unknown;
        const conditions = Array.isArray(props.conditions) ? (props.conditions as Record<string, unknown>[]) : [];
        let floor: number | undefined;
        let gpu = false;
        for (const condition of conditions) {
            const threshold = known(condition.conditionThreshold as Record<string, unknown> | undefined);
            const promql = known(condition.conditionPrometheusQueryLanguage as Record<string, unknown> | undefined);
            const mql = known(condition.conditionMonitoringQueryLanguage as Record<string, unknown> | undefined);
            const query = String(promql?.query ?? mql?.query ?? "");
            const text = `${String(threshold?.filter ?? "")} ${query}`;
            if (!gpuMetric.test(text)) continue;
            gpu = true;
            let below: number | undefined;
            if (threshold && ["COMPARISON_LT", "COMPARISON_LE"].includes(String(threshold.comparison))) {
                const value = asNumber(threshold.thresholdValue);
                below = value === undefined ? undefined : asFraction(value);
            } else if (query) {
                below = belowIn(query);
            }
            if (below !== undefined) floor = Math.max(floor ?? 0, below);
        }
        if (!gpu) continue;
        const text = [...strings({ name: props.displayName, conditions: props.conditions })].map((s) => s.value).join(" ");
        alerts.push({ resource, text: text.toLowerCase(), floor, dependsOn: dependencyUrns(resource) });
    }
    return alerts;
}

function databricksAlerts(resources: readonly PolicyResource[]): FloorAlert[] | Unknown {
    const alerts: FloorAlert[] = [];
    for (const resource of resources) {
        const isAlert = isType(resource, resourceTypes.alert);
        if (!isAlert && !isType(resource, resourceTypes.sqlAlert)) continue;
        const props = snapshot(resource.props) as Record<string, unknown>;
        const dependsOn = dependencyUrns(resource);
        const texts: unknown[] = [props.displayName, props.name];
        for (const query of resource.propertyDependencies["queryId"] ?? []) {
            const q = snapshot(query.props) as Record<string, unknown>;
            texts.push(q.queryText, q.query, q.displayName, q.name);
            for (const urn of dependencyUrns(query)) dependsOn.add(urn);
        }
        if (texts.some(isUnknown)) return texts.find(isUnknown) as Unknown;
        const text = texts.filter((t) => typeof t === "string").join(" ");
        if (!dbuMetric.test(text)) continue;
        let op: unknown;
        let value: unknown;
        if (isAlert) {
            const condition = known(props.condition as Record<string, unknown> | Unknown);
            op = condition?.op;
            const threshold = known(known(condition?.threshold as Record<string, unknown> | Unknown)?.value as Record<string, unknown> | Unknown);
            value = threshold?.doubleValue ?? threshold?.stringValue;
        } else {
            const options = known(props.options as Record<string, unknown> | Unknown);
            op = options?.op;
            value = options?.value;
        }
        if (isUnknown(op) || isUnknown(value)) return unknownOf(op, value);
        const below = ["LESS_THAN", "LESS_THAN_OR_EQUAL", "<", "<="].includes(String(op)) ? asNumber(value) : undefined;
        alerts.push({ resource, text: text.toLowerCase(), floor: below === undefined ? undefined : asFraction(below), dependsOn });
    }
    return alerts;
}

function unknownOf(...values: unknown[]): Unknown {
    return values.find(isUnknown) as Unknown;
}

interface Target {
    resource: PolicyResource;
    names: string[];
    /** The GKE cluster of a pool: its URN and name. */
    cluster?: { urn: string; names: string[] };
}

function names(resource: PolicyResource, ...props: unknown[]): string[] {
    return [resource.name, ...props.filter((p): p is string => typeof p === "string")].map((n) => n.toLowerCase());
}

/** How an alert's text narrows what it watches: to a cluster, and within a cluster (node pools). */
interface Narrowing {
    cluster: RegExp;
    within?: RegExp;
}

function covers(alert: FloorAlert, target: Target, narrowing: Narrowing): boolean {
    if (alert.dependsOn.has(target.resource.urn)) return true;
    if (target.names.some((n) => alert.text.includes(n))) return true;
    const narrowedWithin = narrowing.within?.test(alert.text) ?? false;
    const cluster = target.cluster;
    const onCluster = cluster && (alert.dependsOn.has(cluster.urn) || cluster.names.some((n) => alert.text.includes(n)));
    if (onCluster && !narrowedWithin) return true;
    // Not narrowed to any cluster: it watches everything.
    return !narrowing.cluster.test(alert.text) && !narrowedWithin;
}

interface Rule {
    floor: number;
    what: string;
    fix: string;
    narrowing: Narrowing;
}

function check(targets: Target[], alerts: FloorAlert[], rule: Rule, report: ReportViolation): void {
    for (const target of targets) {
        const covering = alerts.filter((a) => covers(a, target, rule.narrowing));
        const floors = covering.filter((a) => a.floor !== undefined);
        if (floors.some((a) => Number(a.floor!.toFixed(6)) >= rule.floor)) continue;
        const found =
            floors.length > 0
                ? `an alert below ${floors.map((a) => `${percent(a.floor!)} (${a.resource.name})`).join(", ")}`
                : covering.length > 0
                  ? `alerts without a low-utilisation threshold (${covering.map((a) => a.resource.name).join(", ")})`
                  : "no alert";
        report(
            violation({
                resource: subject(target.resource.type, target.resource.name),
                what: rule.what,
                found,
                limit: `an alert firing when utilisation drops below ${percent(rule.floor)}`,
                fix: rule.fix,
            }),
            target.resource.urn,
        );
    }
}

export const utilizationAlerts = stackPolicy({
    name: "utilization-alerts",
    description:
        "Every GKE GPU pool has an alert at the 85% GPU utilisation floor and every Databricks cluster one at the 80% utilisation floor (seed cost rules min_gpu_utilization, min_dbu_utilization).",
    enforcementLevel: "mandatory",
    severity: "medium",
    configSchema: schema,
    validateStack: (args, report) => {
        const config = settings<Settings>(args, schema);
        const phase = stackPhase(snapshots(args.resources));
        if (phase && phase.phase < config.fromPhase) {
            args.notApplicable(`phase ${phase.phase} (from ${phase.from}) is before phase ${config.fromPhase}, which adds unified monitoring`);
        }
        const clusters = new Map(args.resources.filter((r) => isType(r, resourceTypes.gkeCluster)).map((c) => [c.urn, c]));
        const pools: Target[] = [];
        for (const resource of args.resources) {
            if (!isType(resource, resourceTypes.gkeNodePool)) continue;
            const props = snapshot(resource.props) as Record<string, unknown>;
            if (isUnknown(props.nodeConfig)) continue;
            const gpus = gpusPerNode(known(props.nodeConfig as Record<string, unknown> | undefined));
            if (isUnknown(gpus) || !gpus) continue;
            const cluster = (resource.propertyDependencies["cluster"] ?? []).find((c) => clusters.has(c.urn));
            pools.push({
                resource,
                names: names(resource, props.name),
                cluster: cluster && { urn: cluster.urn, names: names(cluster, (snapshot(cluster.props) as Record<string, unknown>).name) },
            });
        }
        const dbClusters: Target[] = args.resources
            .filter((r) => isType(r, resourceTypes.databricksCluster))
            .map((resource) => ({ resource, names: names(resource, (snapshot(resource.props) as Record<string, unknown>).clusterName) }));
        if (pools.length === 0 && dbClusters.length === 0) {
            args.notApplicable("the stack has no GKE GPU pools and no Databricks clusters");
        }
        const gpu = gpuAlerts(args.resources);
        if (!isUnknown(gpu)) {
            check(
                pools,
                gpu,
                {
                    floor: config.minGpuUtilization,
                    what: "GPU utilisation alerting",
                    fix: `add a gcp.monitoring.AlertPolicy on kubernetes.io/node/accelerator/duty_cycle (or DCGM_FI_DEV_GPU_UTIL) for this pool with comparison COMPARISON_LT and thresholdValue ${config.minGpuUtilization * 100}`,
                    narrowing: { cluster: /cluster_name/, within: /node_pool/ },
                },
                report,
            );
        }
        const dbu = databricksAlerts(args.resources);
        if (!isUnknown(dbu)) {
            check(
                dbClusters,
                dbu,
                {
                    floor: config.minDbuUtilization,
                    what: "utilisation alerting",
                    fix: `add a databricks.Alert on a utilisation query of this cluster (system.compute.node_timeline) with op LESS_THAN and threshold ${config.minDbuUtilization}`,
                    // A filter on a cluster (a literal or parameter) narrows; grouping or joining by cluster_id does not.
                    narrowing: { cluster: /cluster_(id|name)\s*(=\s*['"{:]|in\s*\(\s*['"{:]|like\s*['"])/ },
                },
                report,
            );
        }
    },
});
