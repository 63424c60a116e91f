/**
 * The gradual rollback's schedule, pure: the seed's three stages (domain/targets.ts
 * `gradualRollbackStages`) as Databricks shares of the workload, and which step is due when.
 *
 * From the phase-3 share s: stage 1 shifts 25% of s back to GCP (share 0.75·s), stage 2 another
 * 50% (0.25·s), stage 3 the last 25% (0). Stage 1 starts at once; each later step starts when
 * the previous stage's duration (1, 2, 1 days) has passed since its `up` succeeded; after
 * stage 3's day the stack returns to phase 0, the GCP setup every fallback of the plan's
 * critical path points to: phase 0 compute at its configured sizes, every data layer kept
 * (stacks/dataLayer.ts), nothing scheduled on Databricks.
 */
import { gradualRollbackStages, phaseCapabilities } from "../../domain/targets";
import type { GradualRollbackRecord } from "../../domain/configSchema";

export const dayMs = 24 * 3600_000;
/** The phase a gradual rollback starts from (hybrid operation) and the one it ends on (the GCP setup). */
export const gradualPhase: number = phaseCapabilities.hybrid;
export const returnPhase: number = phaseCapabilities.gcpBaseline;
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
    | { kind: "return"; due: Date; resume: boolean }
    | { kind: "complete" }
    | { kind: "aborted" };

/** The share before `stage` (1-based) is applied. */
export function shareBefore(startShare: number, stage: number): number {
    return stage <= 1 ? startShare : stageShare(startShare, stage - 1);
}

export function nextStep(record: GradualRollbackRecord): NextStep {
    if (record.status === "complete") return { kind: "complete" };
    if (record.status === "aborted") return { kind: "aborted" };
    if (record.returnStartedAt) return { kind: "return", due: new Date(record.returnStartedAt), resume: true };
    const { stage, startShare } = record;
    if (stage > 0 && !record.stageAppliedAt) {
        return { kind: "stage", stage, fromShare: shareBefore(startShare, stage), share: stageShare(startShare, stage), due: new Date(record.stageStartedAt ?? record.startedAt), resume: true };
    }
    const due = stage === 0 ? new Date(record.startedAt) : new Date(Date.parse(record.stageAppliedAt!) + stageDurationMs(stage));
    if (stage >= stageCount) return { kind: "return", due, resume: false };
    return { kind: "stage", stage: stage + 1, fromShare: shareBefore(startShare, stage + 1), share: stageShare(startShare, stage + 1), due, resume: false };
}

/** "stage 2 of 3 applied at … (share 0.15); next: stage 3 (share 0) at …" */
export function describeProgress(record: GradualRollbackRecord): string {
    const applied = record.stageAppliedAt ? record.stage : record.stage - 1;
    const where =
        applied <= 0
            ? `started at ${record.startedAt} from share ${record.startShare}, no stage applied yet`
            : `stage ${applied} of ${stageCount} applied${record.stageAppliedAt && applied === record.stage ? ` at ${record.stageAppliedAt}` : ""} (Databricks share ${stageShare(record.startShare, applied)}, from ${record.startShare})`;
    const next = nextStep(record);
    switch (next.kind) {
        case "complete":
            return `gradual rollback complete: all ${stageCount} stages applied, back on the GCP setup (phase ${returnPhase}) at ${record.returnAppliedAt}`;
        case "aborted":
            return `gradual rollback aborted at ${record.abortedAt}: ${where}; nothing further is applied`;
        case "stage":
            return `${where}; next: stage ${next.stage} of ${stageCount} (share ${next.fromShare} → ${next.share}) ${next.resume ? "was interrupted, resumes now" : `at ${next.due.toISOString()}`}`;
        case "return":
            return `${where}; next: phase ${gradualPhase} → ${returnPhase} (the GCP setup) ${next.resume ? "was interrupted, resumes now" : `at ${next.due.toISOString()}`}`;
    }
}
