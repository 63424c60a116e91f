/**
 * `migration rollback --stack S --gradual [--abort]`: the seed's gradual rollback, one step per
 * due time, resumable: three stages of the Databricks share, then the return to phase 0 (the
 * GCP setup, data kept, nothing scheduled on Databricks). Meant to be rerun (by hand or a
 * scheduled CI job): each run applies the step that is due, if any, and otherwise says where
 * the rollback is and when the next step is.
 *
 * The progress is recorded in the stack itself, `migration:gradualRollback` in its config,
 * written with the step's share (or phase) before `up` and completed after: the stack file is
 * what the pipeline keeps anyway, and losing the tool's local folder loses nothing a step
 * depends on. A run interrupted during `up` leaves the step started but not applied, and the
 * next run applies that same step again; a stage is never applied twice once it succeeded,
 * and none is skipped. Each run checks the record against where the stack runs (the outputs
 * of its last completed update) and refuses when they disagree, rather than guess.
 */
import { advisoryGate } from "../pack/config";
import { operationalKpis } from "../../domain/targets";
import type { GradualRollbackRecord } from "../../domain/configSchema";
import {
    formatChanges,
    gradualKey,
    LifecycleDeps,
    LifecycleOptions,
    LifecycleUsageError,
    lockStack,
    openDriver,
    readGradualRecord,
    RefusedError,
    runStep,
    shareOverride,
    stackPosition,
    StackPosition,
    workloadKey,
    workloadWithShare,
} from "./context";
import { StackDriver } from "./driver";
import { CliIoLike } from "./io";
import { describeProgress, gradualPhase, nextStep, NextStep, returnPhase, stageCount, stageDurationMs, stageShare } from "./schedule";
import { appendHistory } from "./state";
import { databricksSchedules, formatStep, previewSteps, StackState } from "./step";

function formatSchedule(record: GradualRollbackRecord): string {
    const lines = [`schedule (from Databricks share ${record.startShare}):`];
    for (let stage = 1; stage <= stageCount; stage++) {
        const state =
            stage < record.stage || (stage === record.stage && record.stageAppliedAt)
                ? `applied${stage === record.stage ? ` ${record.stageAppliedAt}` : ""}`
                : stage === record.stage
                  ? "interrupted"
                  : "pending";
        lines.push(`  stage ${stage}: share → ${stageShare(record.startShare, stage)}, then wait ${stageDurationMs(stage) / 86_400_000} day(s) [${state}]`);
    }
    lines.push(`  then: phase ${gradualPhase} → ${returnPhase}, the GCP setup [${record.returnAppliedAt ? `applied ${record.returnAppliedAt}` : "pending"}]`);
    return lines.join("\n") + "\n";
}

/** The steps left, from the next one: the remaining stages, then the return to phase 0. */
function remainingSteps(record: GradualRollbackRecord, next: Extract<NextStep, { kind: "stage" | "return" }>) {
    const stages = next.kind === "stage" ? Array.from({ length: stageCount - next.stage + 1 }, (_, i) => next.stage + i) : [];
    return [
        ...stages.map((stage) => ({ title: `stage ${stage} of ${stageCount}, share ${stageShare(record.startShare, stage - 1)} → ${stageShare(record.startShare, stage)}`, stage })),
        { title: `phase ${gradualPhase} → ${returnPhase}, the GCP setup`, stage: undefined },
    ];
}

async function dryRun(options: LifecycleOptions, driver: StackDriver, record: GradualRollbackRecord, now: Date, io: CliIoLike): Promise<number> {
    io.stdout(formatSchedule(record));
    const next = nextStep(record);
    if (next.kind === "complete" || next.kind === "aborted") {
        io.stdout(`${describeProgress(record)}\n`);
        return next.kind === "aborted" ? 1 : 0;
    }
    // The stack as it is, then as each remaining step leaves it.
    const steps = remainingSteps(record, next);
    const atShare = async (share: number): Promise<StackState> => ({ phase: gradualPhase, overrides: await shareOverride(driver, share) });
    const states: StackState[] = [await atShare(next.kind === "stage" ? next.fromShare : 0)];
    for (const step of steps) states.push(step.stage === undefined ? { phase: returnPhase } : await atShare(stageShare(record.startShare, step.stage)));
    const previews = await previewSteps({ projectDir: options.cwd, stack: options.stack, phaseKey: options.phaseKey, states });
    let safe = true;
    let waitDays = 0;
    previews.forEach((preview, i) => {
        const step = steps[i];
        const when = i === 0 ? (next.due > now ? `due at ${next.due.toISOString()}` : "due now") : `${waitDays} day(s) after the step before succeeds`;
        io.stdout(formatStep(`dry run: ${step.title}, ${when} (nothing changed)`, preview, { name: "recovery", minutes: operationalKpis.recoveryMinutes }));
        const schedules = databricksSchedules(preview.to);
        io.stdout(`  scheduled on Databricks after this step: ${schedules.length === 0 ? "nothing" : schedules.join(", ")}\n`);
        waitDays = step.stage === undefined ? 0 : stageDurationMs(step.stage) / 86_400_000;
        safe &&= preview.statefulDeleted.length === 0 && preview.blocked.length === 0;
    });
    const last = previews[previews.length - 1];
    io.stdout(
        `return to GCP: ${steps.length} step(s); the last one, phase ${gradualPhase} → ${returnPhase}, is estimated at ` +
            `${Math.round((last.estimate.seconds / 60) * 10) / 10} min against the ${operationalKpis.recoveryMinutes}-minute recovery KPI\n`,
    );
    io.stdout(safe ? "data: every stateful resource is kept\n" : "data: a step would delete or be blocked on stateful resources — do not run it\n");
    return safe ? 0 : 1;
}

async function abort(options: LifecycleOptions, deps: LifecycleDeps, io: CliIoLike): Promise<number> {
    if (options.dryRun) throw new LifecycleUsageError("--abort changes nothing in the stack; run it without --dry-run");
    const driver = await openDriver(options, deps);
    const lock = lockStack(options, deps, "migration rollback --gradual --abort");
    try {
        const record = await readGradualRecord(driver);
        if (!record) throw new LifecycleUsageError(`no gradual rollback of ${options.stack} to abort (its config has no ${gradualKey})`);
        if (record.status !== "in-progress") {
            io.stdout(`${describeProgress(record)}\n`);
            return 0;
        }
        const at = deps.now().toISOString();
        const stopped: GradualRollbackRecord = { ...record, status: "aborted", abortedAt: at };
        await driver.setConfig({ [gradualKey]: stopped });
        const position = await stackPosition(driver, options.phaseKey);
        appendHistory(options.stateDir, {
            at,
            who: deps.user(),
            kind: "gradual-abort",
            fromPhase: position.declared,
            toPhase: position.declared,
            toShare: position.declaredShare,
            result: "succeeded",
        });
        io.stdout(`${describeProgress(stopped)}\n`);
        return 0;
    } finally {
        lock.release();
    }
}

export async function gradualRollback(options: LifecycleOptions, args: { abort: boolean }, deps: LifecycleDeps, io: CliIoLike): Promise<number> {
    if (args.abort) return abort(options, deps, io);
    const driver = await openDriver(options, deps);
    // Taken before the stack is read, so two runs never act on the same reading.
    const lock = options.dryRun ? undefined : lockStack(options, deps, "migration rollback --gradual");
    try {
        return await gradualLocked(driver, options, deps, io);
    } finally {
        lock?.release();
    }
}

/**
 * The record checked against where the stack is: what its config declares and what its last
 * completed update ran at. A disagreement is refused, naming both, rather than guessed at.
 */
function checkAgainstStack(options: LifecycleOptions, record: GradualRollbackRecord, position: StackPosition, next: NextStep): void {
    const refuse = (what: string) => {
        throw new RefusedError(
            `the gradual rollback recorded in ${options.stack}'s config (${describeProgress(record)}) does not match the stack: ${what}. ` +
                `It was changed outside this command; check the stack file's history and the stack's (pulumi stack history), then set the stack as wanted and ` +
                `remove ${gradualKey} (or run --abort) to stop this rollback`,
        );
    };
    if (next.kind === "return") {
        if (![gradualPhase, returnPhase].includes(position.declared)) refuse(`its phase is ${position.declared}, not ${gradualPhase} or ${returnPhase}`);
        return;
    }
    if (next.kind !== "stage") return;
    if (position.declared !== gradualPhase) refuse(`its phase is ${position.declared}, not ${gradualPhase}`);
    // The share the config declares and the one the stack runs at: the step's own, or the one before it.
    const expected = next.resume ? [next.fromShare, next.share] : [next.fromShare];
    if (!expected.includes(position.declaredShare)) refuse(`its config's Databricks share is ${position.declaredShare}, where ${expected.join(" or ")} was expected`);
    if (position.deployedShare !== undefined && !expected.includes(position.deployedShare)) {
        refuse(`its last completed update ran at Databricks share ${position.deployedShare}, where ${expected.join(" or ")} was expected`);
    }
}

async function gradualLocked(driver: StackDriver, options: LifecycleOptions, deps: LifecycleDeps, io: CliIoLike): Promise<number> {
    const position = await stackPosition(driver, options.phaseKey);
    const saved = await readGradualRecord(driver);
    // A finished rollback stays on record; a new one starts when the stack is at phase 3 again.
    const startsNew = !saved || (saved.status === "complete" && position.declared === gradualPhase);
    if (startsNew) {
        if (position.declared !== gradualPhase) {
            throw new LifecycleUsageError(`a gradual rollback moves the phase-3 workload share: the stack is at phase ${position.declared}; use migration rollback (immediate) instead`);
        }
        if (position.deployed !== undefined && (position.deployed !== gradualPhase || (position.deployedShare !== undefined && position.deployedShare !== position.declaredShare))) {
            throw new RefusedError(
                `${options.stack}'s config (phase ${position.declared}, share ${position.declaredShare}) is ahead of its last completed update ` +
                    `(phase ${position.deployed}${position.deployedShare === undefined ? "" : `, share ${position.deployedShare}`}): deploy or revert that change before starting a gradual rollback`,
            );
        }
    }
    const record: GradualRollbackRecord = startsNew
        ? { status: "in-progress", startedAt: deps.now().toISOString(), startShare: position.declaredShare, stage: 0 }
        : saved!;
    if (options.dryRun) return dryRun(options, driver, record, deps.now(), io);
    if (record.status === "aborted") {
        throw new RefusedError(`${describeProgress(record)}; to start over, set the stack as wanted and remove ${gradualKey} from its config (pulumi config rm ${gradualKey})`);
    }
    if (startsNew) io.stdout(`gradual rollback of ${options.stack} started from Databricks share ${record.startShare}\n`);

    let current = record;
    for (;;) {
        const next = nextStep(current);
        if (next.kind === "complete" || next.kind === "aborted") break;
        if (next.due > deps.now()) break;
        checkAgainstStack(options, current, await stackPosition(driver, options.phaseKey), next);
        current = next.kind === "stage" ? await applyStage(options, deps, driver, current, next, io) : await returnToGcp(options, deps, driver, current, next.resume, io);
    }
    io.stdout(`${describeProgress(current)}\n`);
    return 0;
}

async function applyStage(
    options: LifecycleOptions,
    deps: LifecycleDeps,
    driver: StackDriver,
    record: GradualRollbackRecord,
    next: Extract<NextStep, { kind: "stage" }>,
    io: CliIoLike,
): Promise<GradualRollbackRecord> {
    // Only what is set is written: the record's JSON has no undefined fields.
    const clean = (r: GradualRollbackRecord) => JSON.parse(JSON.stringify(r)) as GradualRollbackRecord;
    const started = clean(next.resume ? record : { ...record, stage: next.stage, stageStartedAt: deps.now().toISOString(), stageAppliedAt: undefined });
    io.stdout(`stage ${next.stage} of ${stageCount}${next.resume ? " (resumed)" : ""}: Databricks share ${next.fromShare} → ${next.share}\n`);
    let applied = started;
    const summary = await runStep(driver, options, deps, {
        kind: "gradual-stage",
        fromPhase: gradualPhase,
        toPhase: gradualPhase,
        fromShare: next.fromShare,
        toShare: next.share,
        stage: next.stage,
        apply: { [workloadKey]: await workloadWithShare(driver, next.share), [gradualKey]: started },
        // A failed up leaves the stage started, not applied: the next run applies it again.
        undo: { [workloadKey]: await workloadWithShare(driver, next.fromShare), [gradualKey]: started },
        // The stage's duration counts from when its up succeeded.
        done: () => ({ [gradualKey]: (applied = { ...started, stageAppliedAt: deps.now().toISOString() }) }),
        policyConfig: advisoryGate,
        message: `migration rollback --gradual: stage ${next.stage} of ${stageCount}, Databricks share ${next.fromShare} → ${next.share}`,
    });
    io.stdout(`up succeeded (${formatChanges(summary)})\n`);
    return applied;
}

async function returnToGcp(options: LifecycleOptions, deps: LifecycleDeps, driver: StackDriver, record: GradualRollbackRecord, resume: boolean, io: CliIoLike): Promise<GradualRollbackRecord> {
    const started: GradualRollbackRecord = resume ? record : { ...record, returnStartedAt: deps.now().toISOString() };
    io.stdout(`share is 0 after stage ${stageCount}: phase ${gradualPhase} → ${returnPhase}, the GCP setup${resume ? " (resumed)" : ""}\n`);
    let complete = started;
    const summary = await runStep(driver, options, deps, {
        kind: "gradual-complete",
        fromPhase: gradualPhase,
        toPhase: returnPhase,
        fromShare: 0,
        apply: { [options.phaseKey]: String(returnPhase), [gradualKey]: started },
        undo: { [options.phaseKey]: String(gradualPhase), [gradualKey]: started },
        done: () => ({ [gradualKey]: (complete = { ...started, status: "complete", returnAppliedAt: deps.now().toISOString() }) }),
        policyConfig: advisoryGate,
        message: `migration rollback --gradual: phase ${gradualPhase} → ${returnPhase}, the GCP setup`,
    });
    io.stdout(`up succeeded (${formatChanges(summary)}); ${options.stack} is at phase ${returnPhase}, the GCP setup\n`);
    return complete;
}
