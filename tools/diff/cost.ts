/**
 * A stack's cost before and after a change, from the cost model's estimates of both sides
 * (tools/cost): the summary of each (monthly total, per side, per training run, ratios to its
 * own phase-0 baseline), and the resources whose monthly cost moved.
 */
import { CostBaseline, CostEstimate, CostSummary, costSummary } from "../model/cost/estimate";

export interface CostPoint {
    monthlyUsd: number;
    /** False when the cost model could not price the resource (then not in the totals). */
    priced: boolean;
}

export interface ResourceCostChange {
    urn: string;
    name: string;
    type: string;
    /** Null when the resource is not in the stack on that side. */
    before: CostPoint | null;
    after: CostPoint | null;
    /** After − before, null when either side is unpriced. */
    deltaUsd: number | null;
}

export interface CostSide extends CostSummary {
    /** The phase-0 estimate the ratios are taken against; null when this is phase 0 itself. */
    baseline: CostBaseline | null;
}

export interface CostDiff {
    /** Null when the stack is not on that side or is not priced. */
    before: CostSide | null;
    after: CostSide | null;
    /** Priced and unpriced resources whose cost differs, largest move first. */
    resources: ResourceCostChange[];
    targets: CostEstimate["targets"];
}

function side(estimate: CostEstimate | undefined): CostSide | null {
    return estimate ? { ...costSummary(estimate), baseline: estimate.baseline ?? null } : null;
}

function point(line: CostEstimate["resources"][number] | undefined): CostPoint | null {
    return line ? { monthlyUsd: line.monthlyUsd, priced: line.priced } : null;
}

export function diffCost(before: CostEstimate | undefined, after: CostEstimate | undefined): CostDiff | undefined {
    if (!before && !after) return undefined;
    const old = new Map((before?.resources ?? []).map((l) => [l.urn, l]));
    const next = new Map((after?.resources ?? []).map((l) => [l.urn, l]));
    const resources: ResourceCostChange[] = [];
    for (const urn of new Set([...next.keys(), ...old.keys()])) {
        const a = point(old.get(urn));
        const b = point(next.get(urn));
        const unpriced = (a && !a.priced) || (b && !b.priced);
        const deltaUsd = unpriced ? null : (b?.monthlyUsd ?? 0) - (a?.monthlyUsd ?? 0);
        // Unchanged, or added or removed at no cost: nothing moved.
        if (a && b && a.priced === b.priced && !a.priced) continue;
        if (deltaUsd !== null && Math.abs(deltaUsd) < 0.005) continue;
        const line = (next.get(urn) ?? old.get(urn))!;
        resources.push({ urn, name: line.name, type: line.type, before: a, after: b, deltaUsd });
    }
    resources.sort((x, y) => Math.abs(y.deltaUsd ?? Infinity) - Math.abs(x.deltaUsd ?? Infinity) || x.name.localeCompare(y.name));
    return { before: side(before), after: side(after), resources, targets: (after ?? before)!.targets };
}
