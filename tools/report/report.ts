/**
 * The plan report: what `migration plan` computes for a stack, in one shape that every output
 * format (text, markdown, JSON, SARIF) renders.
 */
import { phases as seedPhases } from "../../domain/targets";
import { costSummary, CostSummary } from "../model/cost/estimate";
import { PlanCost } from "../cost/plan";
import { Preview } from "../engine/diff";
import { Deployment, toDeployment } from "../engine/deployment";
import { ResourceGraph } from "../model/graph";
import { StackPlan } from "../engine/plan";

export type EnforcementLevel = "mandatory" | "advisory" | "remediate" | "disabled";

export interface Violation {
    policyPack: string;
    policy: string;
    enforcementLevel: EnforcementLevel;
    /** The resource, or absent for a stack-level policy. */
    urn?: string;
    message: string;
    /** The policy's description: the rule the message applies. */
    description?: string;
}

export interface PhaseReport {
    phase: number | null;
    name?: string;
    deployment: Deployment;
    promote?: { from: number } & Omit<Preview, "changes">;
    rollback?: { to: number } & Omit<Preview, "changes" | "create">;
    /** Changed input keys per updated URN, for both previews. */
    changes: { promote: Record<string, string[]>; rollback: Record<string, string[]> };
    violations: Violation[];
    /** Monthly and per-training cost against the phase-0 baseline (migration projects only). */
    cost?: CostSummary;
}

export interface PlanReport {
    project: string;
    stack: string;
    policyPack: string | null;
    phases: PhaseReport[];
}

/** The graph each phase's report was built from, kept beside the report for rendering trees. */
export interface PlanContext {
    report: PlanReport;
    graphs: Map<number | null, ResourceGraph>;
    cost?: PlanCost;
}

export function phaseName(phase: number | null): string | undefined {
    return phase === null ? undefined : seedPhases.find((p) => p.phase === phase)?.name;
}

export function buildReport(
    plan: StackPlan,
    policyPack: string | null,
    violations: Map<number | null, Violation[]>,
    cost?: PlanCost,
    now: Date = new Date(),
): PlanContext {
    const graphs = new Map<number | null, ResourceGraph>();
    const phases = plan.phases.map((p): PhaseReport => {
        graphs.set(p.phase, p.graph);
        const { changes: promoteChanges, ...promote } = p.promote ?? { changes: {} };
        const rollbackPreview = p.rollback;
        return {
            phase: p.phase,
            ...(phaseName(p.phase) ? { name: phaseName(p.phase) } : {}),
            deployment: toDeployment(p.graph, now),
            ...(p.promote ? { promote: promote as PhaseReport["promote"] } : {}),
            ...(rollbackPreview
                ? {
                      rollback: {
                          to: rollbackPreview.to,
                          delete: rollbackPreview.delete,
                          update: rollbackPreview.update,
                          retain: rollbackPreview.retain,
                          blocked: rollbackPreview.blocked,
                      },
                  }
                : {}),
            changes: { promote: promoteChanges, rollback: rollbackPreview?.changes ?? {} },
            violations: violations.get(p.phase) ?? [],
            ...(cost?.phases.has(p.phase) ? { cost: costSummary(cost.phases.get(p.phase)!) } : {}),
        };
    });
    return { report: { project: plan.project, stack: plan.stack, policyPack, phases }, graphs, ...(cost ? { cost } : {}) };
}

/**
 * The resource count every format shows for a phase: what the program registered, the root
 * stack and read resources included, default providers not (as `pulumi preview` lists them).
 */
export function resourceCount(context: PlanContext, phase: number | null): number {
    return context.graphs.get(phase)?.resources.length ?? 0;
}

export function mandatory(violations: readonly Violation[]): Violation[] {
    return violations.filter((v) => v.enforcementLevel === "mandatory");
}

/** `gcp:container/nodePool:NodePool` → `gcp:container:NodePool`, as `pulumi preview` shows types. */
export function displayType(type: string): string {
    const [pkg, mod, name] = type.split(":");
    if (name === undefined) return type;
    return `${pkg}:${mod.split("/")[0]}:${name}`;
}

export function nameOf(urn: string): string {
    return urn.split("::").pop() ?? urn;
}
