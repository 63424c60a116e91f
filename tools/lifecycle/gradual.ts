/**
 * `migration rollback --stack S --gradual [--abort]`: the seed's gradual rollback, one step per
 * due time, resumable: three stages of the Databricks share, then the return to phase 0 (the
 * GCP setup, data kept, nothing scheduled on Databricks). Meant to be rerun (by hand or a scheduled CI job): each run applies the
 * step that is due, if any, and otherwise says where the rollback is and when the next step
 * is. Progress is written before and after every `up` (state.ts), so an interrupted run is
 * resumed by reapplying the same share: no stage is repeated once applied, none is skipped.
 */
import { operationalKpis } from "../../components/targets";
import {
    advisoryGate,
    checkStack,
    currentPhase,
    currentShare,
    formatChanges,
    LifecycleDeps,
    LifecycleOptions,
    LifecycleUsageError,
    lockStack,
    openDriver,
    RefusedError,
    runUp,
    shareKey,
    shareOverride,
} from "./context";
import { StackDriver } from "./driver";
import { CliIoLike } from "./io";
import { describeProgress, gradualPhase, nextStep, returnPhase, stageCount, stageDurationMs, stageShare } from "./schedule";
import { appendHistory, GradualProgress, readProgress, writeProgress } from "./state";
import { databricksSchedules, formatStep, previewSteps, StackState } from "./step";

function formatSchedule(progress: GradualProgress): string {
    const lines = [`schedule (from Databricks share ${progress.startShare}):`];
    for (let stage = 1; stage <= stageCount; stage++) {
        const record = progress.stages.find((s) => s.stage === stage);
        const state = record?.appliedAt ? `applied ${record.appliedAt}` : record ? "interrupted" : "pending";
        lines.push(`  stage ${stage}: share → ${stageShare(progress.startShare, stage)}, then wait ${stageDurationMs(stage) / 86_400_000} day(s) [${state}]`);
    }
    lines.push(`  then: phase ${gradualPhase} → ${returnPhase}, the GCP setup [${progress.phaseDrop?.appliedAt ? `applied ${progress.phaseDrop.appliedAt}` : "pending"}]`);
    return lines.join("\n") + "\n";
}

async function abort(options: LifecycleOptions, deps: LifecycleDeps, io: CliIoLike): Promise<number> {
    checkStack(options);
    if (options.dryRun) throw new LifecycleUsageError("--abort changes nothing in the stack; run it without --dry-run");
    const lock = lockStack(options, deps, "migration rollback --gradual --abort");
    try {
        const progress = readProgress(options.stateDir);
        if (!progress) throw new LifecycleUsageError(`no gradual rollback of ${options.stack} to abort (${options.stateDir} has none)`);
        if (progress.status !== "in-progress") {
            io.stdout(`${describeProgress(progress)}\n`);
            return 0;
        }
        const stopped: GradualProgress = { ...progress, status: "aborted", abortedAt: deps.now().toISOString() };
        writeProgress(options.stateDir, stopped);
        const share = stopped.stages.filter((s) => s.appliedAt).pop()?.share ?? stopped.startShare;
        appendHistory(options.stateDir, {
            at: stopped.abortedAt!,
            who: deps.user(),
            kind: "gradual-abort",
            fromPhase: gradualPhase,
            toPhase: gradualPhase,
            toShare: share,
            result: "succeeded",
        });
        io.stdout(`${describeProgress(stopped)}\n`);
        return 0;
    } finally {
        lock.release();
    }
}

/** The steps left, from the next one: the remaining stages, then the return to phase 0. */
function remainingSteps(progress: GradualProgress, next: Extract<ReturnType<typeof nextStep>, { kind: "stage" | "drop" }>) {
    const stages = next.kind === "stage" ? Array.from({ length: stageCount - next.stage + 1 }, (_, i) => next.stage + i) : [];
    return [
        ...stages.map((stage) => ({ title: `stage ${stage} of ${stageCount}, share ${stage === 1 ? progress.startShare : stageShare(progress.startShare, stage - 1)} → ${stageShare(progress.startShare, stage)}`, stage })),
        { title: `phase ${gradualPhase} → ${returnPhase}, the GCP setup`, stage: undefined },
    ];
}

async function dryRun(options: LifecycleOptions, driver: StackDriver, progress: GradualProgress, now: Date, io: CliIoLike): Promise<number> {
    io.stdout(formatSchedule(progress));
    const next = nextStep(progress);
    if (next.kind === "complete" || next.kind === "aborted") {
        io.stdout(`${describeProgress(progress)}\n`);
        return next.kind === "aborted" ? 1 : 0;
    }
    // The stack as it is, then as each remaining step leaves it.
    const steps = remainingSteps(progress, next);
    const atShare = async (share: number): Promise<StackState> => ({ phase: gradualPhase, overrides: await shareOverride(driver, share) });
    const states: StackState[] = [await atShare(next.kind === "stage" ? next.fromShare : 0)];
    for (const step of steps) states.push(step.stage === undefined ? { phase: returnPhase } : await atShare(stageShare(progress.startShare, step.stage)));
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

export async function gradualRollback(options: LifecycleOptions, args: { abort: boolean }, deps: LifecycleDeps, io: CliIoLike): Promise<number> {
    if (args.abort) return abort(options, deps, io);
    const driver = await openDriver(options, deps);
    // Taken before the phase and progress are read, so two runs never act on the same reading.
    const lock = options.dryRun ? undefined : lockStack(options, deps, "migration rollback --gradual");
    try {
        return await gradualLocked(driver, options, deps, io);
    } finally {
        lock?.release();
    }
}

async function gradualLocked(driver: StackDriver, options: LifecycleOptions, deps: LifecycleDeps, io: CliIoLike): Promise<number> {
    const phase = await currentPhase(driver, options.phaseKey);
    const share = await currentShare(driver);
    const fresh = (): GradualProgress => ({ status: "in-progress", startedAt: deps.now().toISOString(), startShare: share, stages: [] });
    // A finished rollback stays on record; a new one starts when the stack is at phase 3 again.
    const startsNew = (saved: GradualProgress | undefined) => !saved || (saved.status === "complete" && phase === gradualPhase);
    const check = (saved: GradualProgress | undefined) => {
        if (startsNew(saved) && phase !== gradualPhase) {
            throw new LifecycleUsageError(
                `a gradual rollback moves the phase-3 workload share: the stack is at phase ${phase}; use migration rollback (immediate) instead`,
            );
        }
        if (saved?.status === "in-progress" && !saved.phaseDrop && phase !== gradualPhase) {
            throw new LifecycleUsageError(
                `a gradual rollback of ${options.stack} is under way but the stack is at phase ${phase}, not 3: it was changed outside this command; check ${options.stateDir} and the history`,
            );
        }
    };
    const saved = readProgress(options.stateDir);
    check(saved);

    if (options.dryRun) return dryRun(options, driver, startsNew(saved) ? fresh() : saved!, deps.now(), io);

    let progress: GradualProgress;
    if (startsNew(saved)) {
        progress = fresh();
        writeProgress(options.stateDir, progress);
        io.stdout(`gradual rollback of ${options.stack} started from Databricks share ${share}\n`);
    } else {
        progress = saved!;
    }
    if (progress.status === "aborted") throw new RefusedError(`${describeProgress(progress)}; to start over, remove ${options.stateDir}/gradual.json once the stack is as wanted`);
    for (;;) {
        const next = nextStep(progress);
        if (next.kind === "complete" || next.kind === "aborted") break;
        const now = deps.now();
        if (next.due > now) break;
        progress = next.kind === "stage" ? await applyStage(options, deps, driver, progress, next, io) : await dropPhase(options, deps, driver, progress, io);
    }
    io.stdout(`${describeProgress(progress)}\n`);
    return 0;
}

async function applyStage(
    options: LifecycleOptions,
    deps: LifecycleDeps,
    driver: StackDriver,
    progress: GradualProgress,
    next: Extract<ReturnType<typeof nextStep>, { kind: "stage" }>,
    io: CliIoLike,
): Promise<GradualProgress> {
    const stages = next.resume ? progress.stages : [...progress.stages, { stage: next.stage, share: next.share, startedAt: deps.now().toISOString() }];
    const pending: GradualProgress = { ...progress, stages };
    writeProgress(options.stateDir, pending);
    io.stdout(`stage ${next.stage} of ${stageCount}${next.resume ? " (resumed)" : ""}: Databricks share ${next.fromShare} → ${next.share}\n`);
    const record = (result: string) =>
        appendHistory(options.stateDir, {
            at: deps.now().toISOString(),
            who: deps.user(),
            kind: "gradual-stage",
            fromPhase: gradualPhase,
            toPhase: gradualPhase,
            fromShare: next.fromShare,
            toShare: next.share,
            stage: next.stage,
            result,
        });
    await driver.setConfig(shareKey, String(next.share), { path: true });
    try {
        const summary = await runUp(driver, options, deps, advisoryGate);
        const applied: GradualProgress = {
            ...pending,
            stages: pending.stages.map((s) => (s.stage === next.stage ? { ...s, appliedAt: deps.now().toISOString() } : s)),
        };
        writeProgress(options.stateDir, applied);
        record("succeeded");
        io.stdout(`up succeeded (${formatChanges(summary)})\n`);
        return applied;
    } catch (err) {
        await driver.setConfig(shareKey, String(next.fromShare), { path: true });
        record((err as Error).message);
        throw err;
    }
}

async function dropPhase(options: LifecycleOptions, deps: LifecycleDeps, driver: StackDriver, progress: GradualProgress, io: CliIoLike): Promise<GradualProgress> {
    const pending: GradualProgress = { ...progress, phaseDrop: progress.phaseDrop ?? { startedAt: deps.now().toISOString() } };
    writeProgress(options.stateDir, pending);
    io.stdout(`share is 0 after stage ${stageCount}: phase ${gradualPhase} → ${returnPhase}, the GCP setup\n`);
    const record = (result: string) =>
        appendHistory(options.stateDir, { at: deps.now().toISOString(), who: deps.user(), kind: "gradual-complete", fromPhase: gradualPhase, toPhase: returnPhase, fromShare: 0, result });
    await driver.setConfig(options.phaseKey, String(returnPhase));
    try {
        const summary = await runUp(driver, options, deps, advisoryGate);
        const done: GradualProgress = { ...pending, status: "complete", phaseDrop: { ...pending.phaseDrop!, appliedAt: deps.now().toISOString() } };
        writeProgress(options.stateDir, done);
        record("succeeded");
        io.stdout(`up succeeded (${formatChanges(summary)}); ${options.stack} is at phase ${returnPhase}, the GCP setup\n`);
        return done;
    } catch (err) {
        await driver.setConfig(options.phaseKey, String(gradualPhase));
        record((err as Error).message);
        throw err;
    }
}
