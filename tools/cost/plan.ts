/**
 * Prices a plan: every phase against the stack's phase-0 GCP baseline, with the stack's own
 * usage assumptions and price overrides (`migration:cost`). A project without phases is priced
 * as configured, with the cost model's default usage and no baseline to compare with.
 */
import { baselineOf, CostEstimate, estimateCost } from "../model/cost/estimate";
import { costInputsForStack } from "./stackAssumptions";
import { StackPlan } from "../engine/plan";
import { phaseCapabilities } from "../../domain/targets";
import { sessionOf, StackSession } from "../engine/session";

export const baselinePhase = phaseCapabilities.gcpBaseline;

export interface PlanCost {
    baseline: CostEstimate;
    phases: Map<number | null, CostEstimate>;
}

/** `stack` is the command's session, or the project directory of the plan's stack. */
export function estimatePlan(plan: StackPlan, stack: StackSession | string): PlanCost | undefined {
    if (!plan.baseline) return undefined;
    const session = typeof stack === "string" ? sessionOf({ projectDir: stack, stack: plan.stack }) : stack;
    const { usage, targetsEnforced } = costInputsForStack(session);
    const baselineEstimate = estimateCost(plan.baseline.graph, { usage, targetsEnforced });
    const baseline = baselineOf(baselineEstimate);
    const phases = new Map<number | null, CostEstimate>();
    for (const phase of plan.phases) {
        // The baseline phase is the reference itself; ratios are for the phases measured against it.
        const reference = phase.phase === baselinePhase ? {} : { baseline };
        phases.set(phase.phase, estimateCost(phase.graph, { usage, targetsEnforced, ...reference }));
    }
    return { baseline: baselineEstimate, phases };
}

/** The cost of a plan of a stack as configured (no phases): default usage, no baseline ratios. */
export function estimateAsConfigured(plan: StackPlan): Map<number | null, CostEstimate> {
    return new Map(plan.phases.map((phase) => [phase.phase, estimateCost(phase.graph)]));
}
