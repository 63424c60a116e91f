/**
 * `migration rollback --stack S --gradual [--abort]`: the seed's gradual rollback, one step per
 * due time, resumable. Meant to be rerun (by hand or a scheduled CI job): each run applies the
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
import { describeProgress, nextStep, stageCount, stageDurationMs, stageShare } from "./schedule";
import { appendHistory, GradualProgress, readProgress, writeProgress } from "./state";
import { formatStep, previewStep } from "./step";

const gradualPhase = 3;

function formatSchedule(progress: GradualProgress): string {
    const lines = [`schedule (from Databricks share ${progress.startShare}):`];
    for (let stage = 1; stage <= stageCount; stage++) {
        const record = progress.stages.find((s) => s.stage === stage);
        const state = record?.appliedAt ? `applied ${record.appliedAt}` : record ? "interrupted" : "pending";
        lines.push(`  stage ${stage}: share → ${stageShare(progress.startShare, stage)}, then wait ${stageDurationMs(stage) / 86_400_000} day(s) [${state}]`);
    }
    lines.push(`  then: phase 3 → 2 [${progress.phaseDrop?.appliedAt ? `applied ${progress.phaseDrop.appliedAt}` : "pending"}]`);
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

async function dryRun(options: LifecycleOptions, driver: StackDriver, progress: GradualProgress, now: Date, io: CliIoLike): Promise<number> {
    io.stdout(formatSchedule(progress));
    const next = nextStep(progress);
    if (next.kind === "complete" || next.kind === "aborted") {
        io.stdout(`${describeProgress(progress)}\n`);
        return next.kind === "aborted" ? 1 : 0;
    }
    const when = next.due > now ? `due at ${next.due.toISOString()}` : "due now";
    const base = { projectDir: options.cwd, stack: options.stack, phaseKey: options.phaseKey, dataPhase: gradualPhase };
    const step =
        next.kind === "stage"
            ? await previewStep({
                  ...base,
                  from: { phase: gradualPhase, overrides: await shareOverride(driver, next.fromShare) },
                  to: { phase: gradualPhase, overrides: await shareOverride(driver, next.share) },
              })
            : await previewStep({ ...base, from: { phase: gradualPhase, overrides: await shareOverride(driver, 0) }, to: { phase: gradualPhase - 1 } });
    const title =
        next.kind === "stage"
            ? `dry run: stage ${next.stage} of ${stageCount}, share ${next.fromShare} → ${next.share}, ${when} (nothing changed)`
            : `dry run: phase 3 → 2 at share 0, ${when} (nothing changed)`;
    io.stdout(formatStep(title, step, { name: "recovery", minutes: operationalKpis.recoveryMinutes }));
    return step.statefulDeleted.length === 0 && step.blocked.length === 0 ? 0 : 1;
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
    io.stdout(`share is 0 after stage ${stageCount}: phase ${gradualPhase} → ${gradualPhase - 1}\n`);
    const record = (result: string) =>
        appendHistory(options.stateDir, { at: deps.now().toISOString(), who: deps.user(), kind: "gradual-complete", fromPhase: gradualPhase, toPhase: gradualPhase - 1, fromShare: 0, result });
    await driver.setConfig(options.phaseKey, String(gradualPhase - 1));
    try {
        const summary = await runUp(driver, options, deps, advisoryGate);
        const done: GradualProgress = { ...pending, status: "complete", phaseDrop: { ...pending.phaseDrop!, appliedAt: deps.now().toISOString() } };
        writeProgress(options.stateDir, done);
        record("succeeded");
        io.stdout(`up succeeded (${formatChanges(summary)}); ${options.stack} is at phase ${gradualPhase - 1}\n`);
        return done;
    } catch (err) {
        await driver.setConfig(options.phaseKey, String(gradualPhase));
        record((err as Error).message);
        throw err;
    }
}
