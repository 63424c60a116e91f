/**
 * One evaluation of a project's stack: which stack, which config overrides, what its stack
 * references read. Jobs run in worker processes (tools/engine/worker.ts) because the Pulumi
 * runtime is process-global.
 */
import { ResourceGraph, StackSnapshot } from "../model/graph";

export interface EvaluationJob {
    id: string;
    projectDir: string;
    stack: string;
    /** Fully qualified config keys set over the stack file's values. */
    overrides: Record<string, string>;
    stackOutputs?: Record<string, Record<string, unknown>>;
    /** What stacks' latest snapshots hold (see EvaluateOptions.stackSnapshots). */
    stackSnapshots?: Record<string, StackSnapshot>;
}

/**
 * What the pool sends a worker: the job, and the environment the program sees while it runs
 * (the parent's at the time; not part of the job, so not of the evaluation cache's key).
 */
export interface WorkerMessage {
    job: EvaluationJob;
    env: NodeJS.ProcessEnv;
}

export type ErrorKind = "project" | "config" | "program" | "engine";

export interface EvaluationError {
    kind: ErrorKind;
    message: string;
}

/** What an evaluation cost: its wall time and its worker's peak resident memory so far. */
export interface EvaluationStats {
    durationMs: number;
    maxRssKb: number;
}

export type EvaluationResult = (
    | { id: string; ok: true; graph: ResourceGraph }
    | { id: string; ok: false; error: EvaluationError }
) & {
    stats?: EvaluationStats;
    /**
     * The worker cannot take another job: a failed evaluation may leave the runtime with work
     * in flight, and an ES module stays loaded for the life of the process.
     */
    retire?: boolean;
};

/** What a worker sends while it evaluates: it is making progress (registrations so far, the last URN). */
export interface EvaluationProgress {
    progress: { registered: number; lastUrn: string };
}
