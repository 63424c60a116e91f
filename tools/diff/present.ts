/**
 * Words and numbers the text and markdown diff reports share: operation markers and labels
 * (as `pulumi preview` draws them), phase transitions, money moves and ratios.
 */
import { formatUsd } from "../model/cost/lines";
import { displayType, nameOf } from "../report/report";
import { CostSide } from "./cost";
import { formatValue, PropertyChange } from "./properties";
import { StackDiff, StackSide } from "./report";
import { ResourceChange, ResourceOp } from "./resources";

export const opMarkers: Record<ResourceOp, string> = {
    create: "+",
    update: "~",
    replace: "+-",
    "may-replace": "~?",
    delete: "-",
    retain: "=",
    blocked: "!",
};

export const opLabels: Record<ResourceOp, string> = {
    create: "create",
    update: "update",
    replace: "replace",
    "may-replace": "update, may replace",
    delete: "delete",
    retain: "leaves the stack, kept in the cloud",
    blocked: "delete refused: protected",
};

export const legend =
    "+ create, ~ update, +- replace, ~? update that may replace (the provider decides), - delete, = leaves the stack but is kept in the cloud, ! delete refused (protected)";

const propertyMarkers: Record<PropertyChange["kind"], string> = { add: "+", delete: "-", update: "~" };

export function propertyLine(p: PropertyChange): string {
    const value = p.kind === "add" ? formatValue(p.new) : p.kind === "delete" ? formatValue(p.old) : `${formatValue(p.old)} → ${formatValue(p.new)}`;
    return `${propertyMarkers[p.kind]} ${p.path}: ${value}`;
}

export function resourceTitle(change: ResourceChange): { type: string; name: string } {
    return { type: displayType(change.type), name: nameOf(change.urn) };
}

function sidePhase(side: StackSide): string {
    if (!side.present) return "absent";
    return side.phase === null ? "as configured" : String(side.phase);
}

/** `1 → 2`, `2`, `absent → 0`. */
export function phaseTransition(stack: StackDiff): string {
    const [a, b] = [sidePhase(stack.before), sidePhase(stack.after)];
    return a === b ? a : `${a} → ${b}`;
}

export function counts(stack: StackDiff): string {
    const c = stack.counts;
    const replaces = c.replaced + c.mayReplace > 0 ? ` (${c.replaced} replace, ${c.mayReplace} may replace)` : "";
    return `+ ${c.added} to create, ~ ${c.changed} to update${replaces}, - ${c.removed} to remove`;
}

export function signedUsd(delta: number | null): string {
    if (delta === null) return "n/a";
    if (Math.abs(delta) < 0.005) return formatUsd(0);
    return `${delta > 0 ? "+" : "−"}${formatUsd(Math.abs(delta))}`;
}

export function usdOrNa(value: number | null | undefined): string {
    return value === null || value === undefined ? "n/a" : formatUsd(value);
}

/** `+5.3%` of the before value, or n/a. */
export function percentMove(before: number | null | undefined, after: number | null | undefined): string {
    if (before === null || before === undefined || after === null || after === undefined) return "n/a";
    if (before === 0) return after === 0 ? "0.0%" : "new";
    const pct = ((after - before) / before) * 100;
    return `${pct > 0 ? "+" : pct < 0 ? "−" : ""}${Math.abs(pct).toFixed(1)}%`;
}

/** A side's ratio to its phase-0 baseline: `95%`, `baseline` for phase 0 itself, `n/a`. */
export function ratioOf(side: CostSide | null, which: "total" | "perTraining"): string {
    if (!side) return "n/a";
    if (side.baseline === null) return "baseline";
    const ratio = which === "total" ? side.baselineRatio : side.perTrainingRatio;
    return ratio === null ? "n/a" : `${(ratio * 100).toFixed(0)}%`;
}

export function beforeAfter(before: string, after: string): string {
    return before === after ? before : `${before} → ${after}`;
}
