/**
 * A dry run of one lifecycle step with the offline engine: the stack evaluated as it is and as
 * the step leaves it, the preview between the two, and its estimated time against a KPI.
 *
 * The "after" evaluation answers the program's reference to its own stack with the data phase
 * the stack holds before the step, exactly as a real `up` right after the "before" state
 * would: that is what keeps a rolled-back phase's data layer (stacks/dataLayer.ts).
 */
import { isStateful } from "../../components/stateful";
import { preview, Preview } from "../engine/diff";
import { defaultOrganization } from "../engine/evaluate";
import { ResourceGraph } from "../engine/graph";
import { PlanError } from "../engine/plan";
import { runJobs } from "../engine/pool";
import { readProject } from "../engine/project";
import { estimateStep, StepEstimate } from "./estimate";

export interface StackState {
    phase: number;
    /** Config overrides of this state besides the phase (e.g. the workload share). */
    overrides?: Record<string, string>;
}

export interface StepPreview extends Preview {
    from: ResourceGraph;
    to: ResourceGraph;
    estimate: StepEstimate;
    /** Stateful resources the step would delete: must be empty for a rollback. */
    statefulDeleted: string[];
}

export async function previewStep(args: {
    projectDir: string;
    stack: string;
    phaseKey: string;
    from: StackState;
    to: StackState;
    /** The data phase the stack holds before the step (default: the "from" phase). */
    dataPhase?: number;
}): Promise<StepPreview> {
    const project = readProject(args.projectDir);
    const self = `${defaultOrganization}/${project.name}/${args.stack}`;
    const dataPhase = args.dataPhase ?? args.from.phase;
    const job = (id: string, state: StackState) => ({
        id,
        projectDir: project.dir,
        stack: args.stack,
        overrides: { ...state.overrides, [args.phaseKey]: String(state.phase) },
        stackOutputs: { [self]: { dataPhase } },
    });
    const results = await runJobs([job("from", args.from), job("to", args.to)]);
    const graph = (id: "from" | "to", phase: number): ResourceGraph => {
        const result = results.get(id)!;
        if (!result.ok) throw new PlanError(result.error, phase);
        return result.graph;
    };
    const from = graph("from", args.from.phase);
    const to = graph("to", args.to.phase);
    const step = preview(from, to);
    const types = new Map(from.resources.map((r) => [r.urn, r.type]));
    return {
        ...step,
        from,
        to,
        estimate: estimateStep(from, to, step),
        statefulDeleted: step.delete.filter((urn) => isStateful(types.get(urn) ?? "")),
    };
}

function shortUrn(urn: string): string {
    const parts = urn.split("::");
    return `${parts[2]?.split("$").pop()} ${parts[3]}`;
}

function minutes(seconds: number): string {
    return `${Math.round((seconds / 60) * 10) / 10} min`;
}

/** The dry run's text: what the step does, its time against the KPI, and stateful safety. */
export function formatStep(title: string, step: StepPreview, kpi: { name: string; minutes: number }): string {
    const lines = [title];
    const list = (label: string, urns: string[]) => {
        lines.push(`  ${label}: ${urns.length}`);
        for (const urn of urns) lines.push(`    ${shortUrn(urn)}`);
    };
    list("create", step.create);
    list("update", step.update);
    list("delete", step.delete);
    list("retain", step.retain);
    if (step.blocked.length > 0) list("blocked (protected; up would fail)", step.blocked);
    const within = step.estimate.seconds <= kpi.minutes * 60;
    lines.push(
        `  estimated time: ${minutes(step.estimate.seconds)} (longest dependency chain of ${step.estimate.chain.length} resource(s)); ` +
            `${kpi.name} KPI ≤ ${kpi.minutes} min: ${within ? "within" : "OVER"}`,
    );
    if (step.estimate.chain.length > 0) lines.push(`  chain: ${step.estimate.chain.map(shortUrn).join(" → ")}`);
    lines.push(
        step.statefulDeleted.length === 0
            ? "  stateful resources deleted: none"
            : `  stateful resources deleted: ${step.statefulDeleted.map(shortUrn).join(", ")}`,
    );
    return lines.join("\n") + "\n";
}
