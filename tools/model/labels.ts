/**
 * Labels and phases, read one way for the pack, the cost model and the reports. Where a
 * resource keeps its labels comes from the static table of label properties
 * (domain/providerFacts.ts, through `labelProperty`), plus the two places the table cannot
 * name: a GKE node pool labels its VMs through `nodeConfig.resourceLabels` (its
 * `nodeConfig.labels` are Kubernetes node labels), a Databricks job's `tags` go to the clusters
 * it starts, and a SQL warehouse keeps `tags.customTags` as a list of key/value pairs.
 *
 * Which phase a stack is in: the program exports `phase` as a stack output (on the root
 * `pulumi:pulumi:Stack` resource), and every labelled resource carries `phase: phase-N` for the
 * phase that added it.
 */
import { labelProperty } from "../../domain/labels";
import { resourceTypes } from "./resourceTypes";
import { asNumber, isUnknown, unknown, Unknown } from "./values";

export const stackType = "pulumi:pulumi:Stack";

/** A resource as `stackPhase` reads it: its type token and its properties (inputs, or a policy's snapshot). */
export interface Labelled {
    type: string;
    props: Record<string, unknown>;
}

function field(value: unknown, key: string): unknown {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

/** `[{key, value}]` → `{key: value}`; unknown as a whole while any entry's key is (any key might be the one looked for). */
function fromTagList(list: unknown): unknown {
    if (isUnknown(list) || !Array.isArray(list)) return list;
    const labels: Record<string, unknown> = {};
    for (const tag of list) {
        const key = isUnknown(tag) ? tag : field(tag, "key");
        if (isUnknown(key)) return unknown;
        if (typeof key === "string") labels[key] = field(tag, "value");
    }
    return labels;
}

/** The places a type keeps labels that the label-property table does not hold. */
const nestedLabels: Readonly<Record<string, { what: string; read: (props: Record<string, unknown>) => unknown }>> = {
    [resourceTypes.gkeNodePool]: { what: "nodeConfig.resourceLabels", read: (p) => (isUnknown(p.nodeConfig) ? p.nodeConfig : field(p.nodeConfig, "resourceLabels")) },
    [resourceTypes.databricksJob]: { what: "tags", read: (p) => p.tags },
    [resourceTypes.sqlEndpoint]: { what: "tags.customTags", read: (p) => (isUnknown(p.tags) ? p.tags : fromTagList(field(p.tags, "customTags"))) },
};

/** Where a type keeps its labels, for messages; undefined when it has none. */
export function labelPlace(type: string): string | undefined {
    return labelProperty(type) ?? nestedLabels[type]?.what;
}

/**
 * A resource's label map: a plain object of key → value (values may be unknown at preview),
 * the unknown marker when the whole map is not yet known, or undefined when the type has no
 * labels or the resource sets none.
 */
export function labelsOf(type: string, props: Record<string, unknown>): Record<string, unknown> | Unknown | undefined {
    const property = labelProperty(type);
    const labels = property ? props[property] : nestedLabels[type]?.read(props);
    if (isUnknown(labels)) return labels;
    return labels !== null && typeof labels === "object" && !Array.isArray(labels) ? (labels as Record<string, unknown>) : undefined;
}

/** One label's value when it is a known string. */
export function labelOf(type: string, props: Record<string, unknown>, key: string): string | undefined {
    const labels = labelsOf(type, props);
    const value = labels === undefined || isUnknown(labels) ? undefined : labels[key];
    return typeof value === "string" ? value : undefined;
}

/** The phase that introduced a resource, from its `phase` label (`phase-2` → 2). */
export function phaseOf(type: string, props: Record<string, unknown>): number | undefined {
    const match = /^phase-(\d+)$/.exec(labelOf(type, props, "phase") ?? "");
    return match ? Number(match[1]) : undefined;
}

export interface StackPhase {
    phase: number;
    /** How it was found, quoted in messages. */
    from: string;
}

/** The stack's `phase` output, when the root stack resource holds a whole number there. */
export function stackPhaseOutput(resources: readonly Labelled[]): number | undefined {
    const root = resources.find((r) => r.type === stackType);
    const output = root ? asNumber(root.props.phase) : undefined;
    return output !== undefined && Number.isInteger(output) ? output : undefined;
}

/** The stack's phase: its `phase` output, else the newest `phase` label (a lower bound the stack has certainly reached). */
export function stackPhase(resources: readonly Labelled[]): StackPhase | undefined {
    const output = stackPhaseOutput(resources);
    if (output !== undefined) return { phase: output, from: "the stack output `phase`" };
    let highest: number | undefined;
    for (const r of resources) {
        const phase = phaseOf(r.type, r.props);
        if (phase !== undefined) highest = Math.max(highest ?? 0, phase);
    }
    return highest === undefined ? undefined : { phase: highest, from: "the resources' `phase` labels" };
}
