/**
 * The one label helper. Every labelable resource carries the same five keys, so billing
 * exports, budgets and the policy pack can group cost by team, environment, phase and
 * workload without guessing.
 */

export const requiredLabelKeys = ["team", "env", "phase", "workload", "cost-center"] as const;
export type RequiredLabelKey = (typeof requiredLabelKeys)[number];

/** What the workload label may say: the seed's split of the work between the two sides. */
export const workloads = [
    "network",
    "platform",
    "training",
    "inference",
    "data-processing",
    "cost-monitoring",
    "monitoring",
    "storage",
    "benchmark",
] as const;
export type Workload = (typeof workloads)[number];

export interface LabelContext {
    team: string;
    env: string;
    costCenter: string;
}

/** GCP label values: lowercase letters, digits, '_' and '-', at most 63 characters. */
export const labelValuePattern = /^[a-z0-9_-]{1,63}$/;

/**
 * Labels for a resource introduced by `phase`. The phase is the one that *added* the
 * resource, not the stack's current phase, so promoting does not rewrite every label.
 */
export function resourceLabels(ctx: LabelContext, phase: number, workload: Workload): Record<RequiredLabelKey, string> {
    const labels: Record<RequiredLabelKey, string> = {
        team: ctx.team,
        env: ctx.env,
        phase: `phase-${phase}`,
        workload,
        "cost-center": ctx.costCenter,
    };
    for (const [key, value] of Object.entries(labels)) {
        if (!labelValuePattern.test(value)) {
            throw new Error(
                `label "${key}" has value "${value}"; GCP accepts 1-63 lowercase letters, digits, '_' or '-'`,
            );
        }
    }
    return labels;
}

/**
 * The property through which a resource type takes labels, read from the provider SDK itself
 * (the inputs its constructor sends), or undefined when the type has none. Order matters:
 * a notification channel's `labels` are its settings; its labels are `userLabels`.
 */
const labelProperties = ["userLabels", "resourceLabels", "labels", "customTags"] as const;
export type LabelProperty = (typeof labelProperties)[number];

const labelPropertyCache = new Map<string, LabelProperty | undefined>();

/**
 * Types whose label-like input is not where their labels go: a metric descriptor's `labels` are
 * the metric's label keys, and a workspace's `customTags` apply on AWS only (on GCP the labels
 * go on each cluster).
 */
const notLabelMaps: readonly string[] = ["gcp:monitoring/metricDescriptor:MetricDescriptor", "databricks:index/mwsWorkspaces:MwsWorkspaces"];

export function labelProperty(type: string): LabelProperty | undefined {
    if (notLabelMaps.includes(type)) return undefined;
    if (labelPropertyCache.has(type)) return labelPropertyCache.get(type);
    const result = findLabelProperty(type);
    labelPropertyCache.set(type, result);
    return result;
}

function findLabelProperty(type: string): LabelProperty | undefined {
    const match = /^([a-z0-9-]+):([^/:]+)(?:\/[^:]*)?:([A-Za-z0-9]+)$/.exec(type);
    if (!match || match[1] === "pulumi" || match[1] === "migration") return undefined;
    const [, pkg, mod, className] = match;
    let sdk: Record<string, unknown>;
    try {
        sdk = require(`@pulumi/${pkg}`);
    } catch {
        return undefined;
    }
    const namespace = (mod === "index" ? sdk : sdk[mod]) as Record<string, unknown> | undefined;
    const cls = namespace?.[className] as ({ __pulumiType?: string } & (() => void)) | undefined;
    if (typeof cls !== "function" || cls.__pulumiType !== type) return undefined;
    const source = Function.prototype.toString.call(cls);
    return labelProperties.find((p) => source.includes(`resourceInputs["${p}"]`));
}
