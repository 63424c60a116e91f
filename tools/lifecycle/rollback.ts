/**
 * `migration rollback --stack S [--to N]`: immediate recovery (the seed's `--mode=recovery`).
 * Lowers `migration:phase` (default one phase, `--to 0` all the way back to GCP) and runs `up`.
 * No gate: recovery must not wait on metrics. Data is kept by the program itself: it keeps
 * every data layer the stack has created (stacks/dataLayer.ts), so only compute goes.
 */
import { operationalKpis } from "../../components/targets";
import { advisoryGate, currentPhase, formatChanges, LifecycleDeps, LifecycleOptions, LifecycleUsageError, lockStack, openDriver, runUp } from "./context";
import { StackDriver } from "./driver";
import { CliIoLike } from "./io";
import { appendHistory, readProgress, writeProgress } from "./state";
import { formatStep, previewStep } from "./step";

export async function rollback(options: LifecycleOptions, args: { to?: number }, deps: LifecycleDeps, io: CliIoLike): Promise<number> {
    const driver = await openDriver(options, deps);
    // Taken before the phase is read, so two runs never act on the same reading.
    const lock = options.dryRun ? undefined : lockStack(options, deps, `migration rollback${args.to === undefined ? "" : ` --to ${args.to}`}`);
    try {
        return await rollbackLocked(driver, options, args, deps, io);
    } finally {
        lock?.release();
    }
}

async function rollbackLocked(driver: StackDriver, options: LifecycleOptions, args: { to?: number }, deps: LifecycleDeps, io: CliIoLike): Promise<number> {
    const from = await currentPhase(driver, options.phaseKey);
    if (from === 0) throw new LifecycleUsageError(`the stack is at phase 0 (GCP only): there is nothing to roll back`);
    const to = args.to ?? from - 1;
    if (to >= from) throw new LifecycleUsageError(`--to ${to}: the stack is at phase ${from}; a rollback goes to a lower phase (0 to ${from - 1})`);
    io.stdout(`rollback ${options.stack}: phase ${from} → ${to} (immediate recovery, no gate)\n`);

    if (options.dryRun) {
        const step = await previewStep({ projectDir: options.cwd, stack: options.stack, phaseKey: options.phaseKey, from: { phase: from }, to: { phase: to } });
        io.stdout(formatStep(`dry run: phase ${from} → ${to} (nothing changed)`, step, { name: "recovery", minutes: operationalKpis.recoveryMinutes }));
        const safe = step.statefulDeleted.length === 0 && step.blocked.length === 0;
        io.stdout(safe ? "data: every stateful resource is kept\n" : "data: this step would delete or be blocked on stateful resources — do not run it\n");
        return safe ? 0 : 1;
    }

    // An immediate recovery supersedes a gradual rollback under way: it must not resume later.
    const progress = readProgress(options.stateDir);
    if (progress?.status === "in-progress") {
        writeProgress(options.stateDir, { ...progress, status: "aborted", abortedAt: deps.now().toISOString() });
        io.stdout("the gradual rollback under way is stopped: immediate recovery supersedes it\n");
    }
    await driver.setConfig(options.phaseKey, String(to));
    const record = (result: string) =>
        appendHistory(options.stateDir, { at: deps.now().toISOString(), who: deps.user(), kind: "rollback", fromPhase: from, toPhase: to, result });
    try {
        const summary = await runUp(driver, options, deps, advisoryGate);
        record("succeeded");
        io.stdout(`up succeeded (${formatChanges(summary)}); ${options.stack} is at phase ${to}\n`);
        return 0;
    } catch (err) {
        // The stack file keeps naming the last phase that deployed: rerunning the same recovery retries it.
        await driver.setConfig(options.phaseKey, String(from));
        record((err as Error).message);
        throw err;
    }
}
