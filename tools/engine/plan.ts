/**
 * Plans a stack's phases offline: evaluates each phase forward, then each rollback step
 * (phase N-1 as the program would run it right after phase N, reading phase N's outputs and
 * snapshot as its own stack), and derives the promote and rollback previews.
 */
import { qualifiedStackName } from "./stackName";
import { ResourceGraph, snapshotOf } from "../model/graph";
import { EvaluationError, EvaluationJob, EvaluationResult } from "./job";
import { runJobs } from "./pool";
import { preview, Preview } from "./diff";
import { openStackSession, StackSession } from "./session";

export interface PlanOptions {
    projectDir: string;
    stack: string;
    /** The command's stack session, when it has one: the stack file is then not read again to check it. */
    session?: StackSession;
    /** Phases to plan; `undefined` plans the stack as configured (projects without phases). */
    phases?: readonly number[];
    /** The config key that selects the phase. */
    phaseKey: string;
    /** A phase to evaluate as well, as the reference for comparisons (the cost baseline). */
    baselinePhase?: number;
    /** Whether to compute promote and rollback previews (default true). */
    previews?: boolean;
    /** Config set over the stack file's values in every evaluation. */
    overrides?: Record<string, string>;
    concurrency?: number;
    jobTimeoutMs?: number;
    /** Told as each evaluation starts, registers resources and ends: for a progress line. */
    onProgress?: (event: PlanProgressEvent) => void;
}

export interface PlanProgressEvent {
    phase: number | null;
    purpose: "phase" | "rollback";
    state: "started" | "registering" | "done";
    registered: number;
}

/** The phase and purpose of a job id: `current`, `forward-N` or `rollback-N` (a rollback from N evaluates N - 1). */
function jobEvent(id: string, state: PlanProgressEvent["state"], registered: number): PlanProgressEvent {
    const [kind, n] = id.split("-");
    if (kind === "rollback") return { phase: Number(n) - 1, purpose: "rollback", state, registered };
    return { phase: kind === "forward" ? Number(n) : null, purpose: "phase", state, registered };
}

export interface PhasePlan {
    phase: number | null;
    graph: ResourceGraph;
    promote?: Preview & { from: number };
    rollback?: Preview & { to: number };
}

export interface StackPlan {
    project: string;
    stack: string;
    phases: PhasePlan[];
    /** The graph of `baselinePhase`, when one was asked for. */
    baseline?: { phase: number; graph: ResourceGraph };
    /** Evaluations run, resources they registered, and the largest worker's peak memory. */
    stats: { evaluations: number; resources: number; peakWorkerRssKb: number };
}

function statsOf(results: Iterable<EvaluationResult>): StackPlan["stats"] {
    const stats = { evaluations: 0, resources: 0, peakWorkerRssKb: 0 };
    for (const result of results) {
        stats.evaluations += 1;
        if (result.ok) stats.resources += result.graph.resources.length;
        stats.peakWorkerRssKb = Math.max(stats.peakWorkerRssKb, result.stats?.maxRssKb ?? 0);
    }
    return stats;
}

export class PlanError extends Error {
    constructor(
        readonly error: EvaluationError,
        readonly phase: number | null,
    ) {
        super(phase === null ? error.message : `phase ${phase}: ${error.message}`);
        this.name = "PlanError";
    }
}

export async function planStack(options: PlanOptions): Promise<StackPlan> {
    // Fail on an unknown stack here, before any worker starts.
    const project = (options.session ?? openStackSession(options.projectDir, options.stack)).project;
    const onProgress = options.onProgress;
    const pool = {
        concurrency: options.concurrency,
        jobTimeoutMs: options.jobTimeoutMs,
        ...(onProgress ? { onJob: (id: string, state: PlanProgressEvent["state"], registered: number) => onProgress(jobEvent(id, state, registered)) } : {}),
    };
    const job = (id: string, phase: number | null, previous?: ResourceGraph): EvaluationJob => ({
        id,
        projectDir: project.dir,
        stack: options.stack,
        overrides: { ...options.overrides, ...(phase === null ? {} : { [options.phaseKey]: String(phase) }) },
        // A rollback runs against the stack as the phase above left it: its outputs and its snapshot.
        ...(previous
            ? {
                  stackOutputs: { [qualifiedStackName(project.name, options.stack)]: previous.outputs },
                  stackSnapshots: { [qualifiedStackName(project.name, options.stack)]: snapshotOf(previous) },
              }
            : {}),
    });

    if (!options.phases) {
        const results = await runJobs([job("current", null)], pool);
        const result = results.get("current")!;
        if (!result.ok) throw new PlanError(result.error, null);
        return { project: project.name, stack: options.stack, phases: [{ phase: null, graph: result.graph }], stats: statsOf(results.values()) };
    }

    const phases = [...new Set(options.phases)].sort((a, b) => a - b);
    // Each phase's promote preview starts from the phase below it.
    const previews = options.previews ?? true;
    const forward = [
        ...new Set([...phases.flatMap((p) => (p > 0 && previews ? [p - 1, p] : [p])), ...(options.baselinePhase === undefined ? [] : [options.baselinePhase])]),
    ].sort((a, b) => a - b);
    const forwardResults = await runJobs(forward.map((p) => job(`forward-${p}`, p)), pool);
    const graphs = new Map<number, ResourceGraph>();
    for (const p of forward) {
        const result = forwardResults.get(`forward-${p}`)!;
        if (!result.ok) throw new PlanError(result.error, p);
        graphs.set(p, result.graph);
    }

    const rollbackJobs = phases.filter((p) => p > 0 && previews).map((p) => job(`rollback-${p}`, p - 1, graphs.get(p)!));
    const rollbackResults = await runJobs(rollbackJobs, pool);

    const planned = phases.map((p): PhasePlan => {
        const graph = graphs.get(p)!;
        if (p === 0 || !previews) return { phase: p, graph };
        const rolled = rollbackResults.get(`rollback-${p}`)!;
        if (!rolled.ok) throw new PlanError(rolled.error, p - 1);
        return {
            phase: p,
            graph,
            promote: { from: p - 1, ...preview(graphs.get(p - 1)!, graph) },
            rollback: { to: p - 1, ...preview(graph, rolled.graph) },
        };
    });
    const stats = statsOf([...forwardResults.values(), ...rollbackResults.values()]);
    const baseline = options.baselinePhase === undefined ? undefined : { phase: options.baselinePhase, graph: graphs.get(options.baselinePhase)! };
    return { project: project.name, stack: options.stack, phases: planned, ...(baseline ? { baseline } : {}), stats };
}
