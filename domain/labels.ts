/**
 * The one label helper. Every labelable resource carries the same five keys, so billing
 * exports, budgets and the policy pack can group cost by team, environment, phase and
 * workload without guessing.
 */
import { LabelProperty, labelProperties } from "./providerFacts";

export type { LabelProperty } from "./providerFacts";

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
 * The property through which a resource type takes labels, or undefined when the type has none:
 * a static table by type token (domain/providerFacts.ts), generated from the provider SDKs and
 * checked against them by a test, so that reading it loads no SDK. A notification channel's
 * `labels` are its settings (its labels are `userLabels`); a metric descriptor's `labels` are
 * its label keys.
 */
export function labelProperty(type: string): LabelProperty | undefined {
    return Object.prototype.hasOwnProperty.call(labelProperties, type) ? labelProperties[type] : undefined;
}
