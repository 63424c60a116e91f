/**
 * A dry run of lifecycle steps with the offline engine: the stack evaluated as it is and as
 * each step leaves it, the preview between consecutive states, and each step's estimated time
 * against a KPI.
 *
 * A dry run has no state to read: it takes the stack to be what its config declares. Every
 * later state is evaluated against that first state's snapshot, exactly as a real `up` right
 * after it would read it: that is what keeps a rolled-back phase's data layer
 * (stacks/dataLayer.ts). No step deletes a stateful resource (each preview says so), so the
 * data layers the first snapshot holds are those every later step holds.
 */
import { isStateful } from "../../domain/stateful";
import { preview, Preview } from "../engine/diff";
import { qualifiedStackName } from "../engine/stackName";
import { ResourceGraph, snapshotOf } from "../model/graph";
import { EvaluationJob } from "../engine/job";
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

export async function previewSteps(args: { projectDir: string; stack: string; phaseKey: string; states: readonly StackState[] }): Promise<StepPreview[]> {
    const project = readProject(args.projectDir);
    const self = qualifiedStackName(project.name, args.stack);
    const job = (id: string, state: StackState, previous?: ResourceGraph): EvaluationJob => ({
        id,
        projectDir: project.dir,
        stack: args.stack,
        overrides: { ...state.overrides, [args.phaseKey]: String(state.phase) },
        ...(previous ? { stackOutputs: { [self]: previous.outputs }, stackSnapshots: { [self]: snapshotOf(previous) } } : {}),
    });
    // In the engine's workers: the first state alone, then every later one against its snapshot.
    const evaluate = async (jobs: { id: string; state: StackState; previous?: ResourceGraph }[]): Promise<ResourceGraph[]> => {
        const results = await runJobs(jobs.map(({ id, state, previous }) => job(id, state, previous)));
        return jobs.map(({ id, state }) => {
            const result = results.get(id)!;
            if (!result.ok) throw new PlanError(result.error, state.phase);
            return result.graph;
        });
    };
    const [first, ...rest] = args.states;
    const [start] = await evaluate([{ id: "state-0", state: first }]);
    const graphs = [start, ...(await evaluate(rest.map((state, i) => ({ id: `state-${i + 1}`, state, previous: start }))))];
    return graphs.slice(1).map((to, i) => {
        const from = graphs[i];
        const step = preview(from, to);
        const types = new Map(from.resources.map((r) => [r.urn, r.type]));
        return {
            ...step,
            from,
            to,
            estimate: estimateStep(from, to, step),
            statefulDeleted: step.delete.filter((urn) => isStateful(types.get(urn) ?? "")),
        };
    });
}

/** One step: the stack as its config declares it (`from`), then as the step leaves it. */
export async function previewStep(args: { projectDir: string; stack: string; phaseKey: string; from: StackState; to: StackState }): Promise<StepPreview> {
    const [step] = await previewSteps({ ...args, states: [args.from, args.to] });
    return step;
}

/** Databricks jobs of a graph that run on their own: a schedule, trigger or continuous run not paused. */
export function databricksSchedules(graph: ResourceGraph): string[] {
    const running = (spec: unknown) => spec !== undefined && spec !== null && (spec as { pauseStatus?: unknown }).pauseStatus !== "PAUSED";
    return graph.resources
        .filter((r) => r.type === "databricks:index/job:Job" && (running(r.inputs.schedule) || running(r.inputs.trigger) || running(r.inputs.continuous)))
        .map((r) => String(r.inputs.name ?? r.name))
        .sort();
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
