/**
 * `migration rollback --stack S [--to N]`: immediate recovery (the seed's `--mode=recovery`).
 * Lowers `migration:phase` (default one phase, `--to 0` all the way back to GCP) and runs `up`.
 * No gate: recovery must not wait on metrics. Data is kept by the program itself: it keeps
 * every data layer the stack holds (stacks/dataLayer.ts), so only compute goes.
 *
 * The step is judged from the stack itself: from the highest phase its config or its last
 * completed update names, so a rerun after an interrupted promotion or recovery finishes that
 * step instead of going one phase further.
 */
import { operationalKpis } from "../../domain/targets";
import { advisoryGate } from "../pack/config";
import { formatChanges, gradualKey, LifecycleDeps, LifecycleOptions, LifecycleUsageError, lockStack, openDriver, readGradualRecord, runStep, stackPosition } from "./context";
import { StackDriver } from "./driver";
import { CliIoLike } from "./io";
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
    const position = await stackPosition(driver, options.phaseKey);
    const deployed = position.deployed ?? position.declared;
    // From the highest phase the stack may run (a promotion may have stopped half-way), to the
    // lower one its config or deployment names when they differ (finishing an interrupted step).
    const from = Math.max(position.declared, deployed);
    const pending = position.declared !== deployed ? Math.min(position.declared, deployed) : undefined;
    if (from === 0) throw new LifecycleUsageError(`the stack is at phase 0 (GCP only): there is nothing to roll back`);
    const to = args.to ?? pending ?? from - 1;
    if (to >= from) throw new LifecycleUsageError(`--to ${to}: the stack is at phase ${from}; a rollback goes to a lower phase (0 to ${from - 1})`);
    io.stdout(`rollback ${options.stack}: phase ${from} → ${to} (immediate recovery, no gate)\n`);
    if (pending !== undefined) {
        io.stdout(`the stack's config says phase ${position.declared} and its last completed update ran at ${deployed}: this finishes that step\n`);
    }

    if (options.dryRun) {
        const step = await previewStep({ projectDir: options.cwd, stack: options.stack, phaseKey: options.phaseKey, from: { phase: from }, to: { phase: to } });
        io.stdout(formatStep(`dry run: phase ${from} → ${to} (nothing changed)`, step, { name: "recovery", minutes: operationalKpis.recoveryMinutes }));
        const safe = step.statefulDeleted.length === 0 && step.blocked.length === 0;
        io.stdout(safe ? "data: every stateful resource is kept\n" : "data: this step would delete or be blocked on stateful resources — do not run it\n");
        return safe ? 0 : 1;
    }

    // An immediate recovery supersedes a gradual rollback under way, once its own up succeeded.
    // A record that cannot be read must not hold the recovery back: it is left as it is.
    let gradual: Awaited<ReturnType<typeof readGradualRecord>>;
    try {
        gradual = await readGradualRecord(driver);
    } catch (err) {
        if (!(err instanceof LifecycleUsageError)) throw err;
        io.stderr(`migration: warning: ${err.message}\n`);
    }
    const supersedes = gradual?.status === "in-progress";
    const summary = await runStep(driver, options, deps, {
        kind: "rollback",
        fromPhase: from,
        toPhase: to,
        apply: { [options.phaseKey]: String(to) },
        // The stack file keeps naming the last phase that deployed: rerunning retries the recovery.
        undo: { [options.phaseKey]: String(from) },
        ...(supersedes ? { done: () => ({ [gradualKey]: { ...gradual!, status: "aborted" as const, abortedAt: deps.now().toISOString() } }) } : {}),
        policyConfig: advisoryGate,
        message: `migration rollback: phase ${from} → ${to} (immediate recovery)`,
    });
    if (supersedes) io.stdout("the gradual rollback under way is stopped: immediate recovery supersedes it\n");
    io.stdout(`up succeeded (${formatChanges(summary)}); ${options.stack} is at phase ${to}\n`);
    return 0;
}
