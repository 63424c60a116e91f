/**
 * Which phase a stack is in, as a stack policy can see it: the program exports `phase` as a
 * stack output (the root `pulumi:pulumi:Stack` resource), and every labelled resource carries
 * `phase: phase-N` for the phase that added it. Policies that start to apply at a phase, and
 * the promotion gate, read it here.
 */
import { PolicyResource } from "@pulumi/policy";
import { asNumber, entries, isUnknown, snapshot } from "./values";
import { labelProperty } from "../../components/labels";

export const stackType = "pulumi:pulumi:Stack";

export interface StackPhase {
    phase: number;
    /** How it was found, quoted in messages. */
    from: string;
}

export function stackPhase(resources: readonly PolicyResource[]): StackPhase | undefined {
    const root = resources.find((r) => r.type === stackType);
    if (root) {
        const phase = asNumber((snapshot(root.props) as Record<string, unknown>).phase);
        if (phase !== undefined && Number.isInteger(phase)) return { phase, from: "the stack output `phase`" };
    }
    // Without the output, the newest phase label is a lower bound the stack has certainly reached.
    let highest: number | undefined;
    for (const r of resources) {
        const property = labelProperty(r.type);
        if (!property) continue;
        const labels = (snapshot(r.props) as Record<string, unknown>)[property];
        for (const [key, value] of entries(labels)) {
            const match = key === "phase" && !isUnknown(value) ? /^phase-(\d+)$/.exec(String(value)) : null;
            if (match) highest = Math.max(highest ?? 0, Number(match[1]));
        }
    }
    return highest === undefined ? undefined : { phase: highest, from: "the resources' `phase` labels" };
}
