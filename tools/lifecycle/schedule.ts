/**
 * The gradual rollback's schedule, pure: the seed's three stages (components/targets.ts
 * `gradualRollbackStages`) as Databricks shares of the workload, and which step is due when.
 *
 * From the phase-3 share s: stage 1 shifts 25% of s back to GCP (share 0.75·s), stage 2 another
 * 50% (0.25·s), stage 3 the last 25% (0). Stage 1 starts at once; each later step starts when
 * the previous stage's duration (1, 2, 1 days) has passed since its `up` succeeded; after
 * stage 3's day the stack returns to phase 0, the GCP setup every fallback of the plan's
 * critical path points to: phase 0 compute at its configured sizes, every data layer kept
 * (stacks/dataLayer.ts), nothing scheduled on Databricks.
 */
import { gradualRollbackStages } from "../../components/targets";
import { GradualProgress } from "./state";

export const dayMs = 24 * 3600_000;
/** The phase a gradual rollback starts from (hybrid operation) and the one it ends on (the GCP setup). */
export const gradualPhase = 3;
export const returnPhase = 0;
export const stageCount = gradualRollbackStages.length;

/** The Databricks share once `stage` (1-based) is applied; the last stage is exactly 0. */
export function stageShare(startShare: number, stage: number): number {
    if (stage >= stageCount) return 0;
    const shifted = gradualRollbackStages.slice(0, stage).reduce((sum, s) => sum + s.workloadShift, 0);
    return Math.round(startShare * (1 - shifted) * 1e6) / 1e6;
}

export function stageDurationMs(stage: number): number {
    return gradualRollbackStages[stage - 1].durationDays * dayMs;
}

export type NextStep =
    | { kind: "stage"; stage: number; fromShare: number; share: number; due: Date; resume: boolean }
    | { kind: "drop"; due: Date; resume: boolean }
    | { kind: "complete" }
    | { kind: "aborted" };

export function nextStep(progress: GradualProgress): NextStep {
    if (progress.status === "complete") return { kind: "complete" };
    if (progress.status === "aborted") return { kind: "aborted" };
    if (progress.phaseDrop) return { kind: "drop", due: new Date(progress.phaseDrop.startedAt), resume: true };
    const last = progress.stages[progress.stages.length - 1];
    const before = (stage: number) => (stage <= 1 ? progress.startShare : stageShare(progress.startShare, stage - 1));
    if (last && !last.appliedAt) {
        return { kind: "stage", stage: last.stage, fromShare: before(last.stage), share: last.share, due: new Date(last.startedAt), resume: true };
    }
    const applied = progress.stages.length;
    const due = applied === 0 ? new Date(progress.startedAt) : new Date(Date.parse(last.appliedAt!) + stageDurationMs(applied));
    if (applied >= stageCount) return { kind: "drop", due, resume: false };
    const stage = applied + 1;
    return { kind: "stage", stage, fromShare: before(stage), share: stageShare(progress.startShare, stage), due, resume: false };
}

/** "stage 2 of 3 applied at … (share 0.15); next: stage 3 (share 0) at …" */
export function describeProgress(progress: GradualProgress): string {
    const applied = progress.stages.filter((s) => s.appliedAt);
    const where =
        applied.length === 0
            ? `started at ${progress.startedAt} from share ${progress.startShare}, no stage applied yet`
            : `stage ${applied.length} of ${stageCount} applied at ${applied[applied.length - 1].appliedAt} (Databricks share ${applied[applied.length - 1].share}, from ${progress.startShare})`;
    const next = nextStep(progress);
    switch (next.kind) {
        case "complete":
            return `gradual rollback complete: all ${stageCount} stages applied, back on the GCP setup (phase ${returnPhase}) at ${progress.phaseDrop?.appliedAt}`;
        case "aborted":
            return `gradual rollback aborted at ${progress.abortedAt}: ${where}; nothing further is applied`;
        case "stage":
            return `${where}; next: stage ${next.stage} of ${stageCount} (share ${next.fromShare} → ${next.share}) ${next.resume ? "was interrupted, resumes now" : `at ${next.due.toISOString()}`}`;
        case "drop":
            return `${where}; next: phase ${gradualPhase} → ${returnPhase} (the GCP setup) ${next.resume ? "was interrupted, resumes now" : `at ${next.due.toISOString()}`}`;
    }
}
