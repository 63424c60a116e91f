/**
 * What every lifecycle command shares: its options, the injected clock, user and driver; where
 * the stack is (its config, and the phase and share its last completed update ran at); the one
 * way a step is run (intent, config, `up`, outcome, with every written value checked); and the
 * policy config a real `up` passes to the pack.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { hybridDatabricksShare, maxPhase } from "../../domain/targets";
import { openStackSession, StackSession } from "../engine/session";
import { mergePackConfig, stackPolicyConfig } from "../pack/config";
import { PolicyPackConfig } from "../pack/analyzer";
import { SqlRunner } from "./benchmarkTable";
import { GradualRollbackRecord, gradualRollbackSchema } from "../../domain/configSchema";
import { ConfigInput, configFileDriver, DriverFactory, StackBusyError, StackDriver, UpOptions, UpSummary } from "./driver";
import { acquireLock, Lock, LockOptions } from "./lock";
import type { QuotaReader } from "./quota";
import { appendHistory, stateDir, Transition, TransitionKind } from "./state";

export interface LifecycleDeps {
    /** Opens the stack for a real run (default: the Automation API). */
    driverFactory: DriverFactory;
    now: () => Date;
    user: () => string;
    /** Lock settings for tests (pid, host, liveness). */
    lock?: Pick<LockOptions, "pid" | "host" | "isAlive" | "staleAfterMs">;
    /** Opens the SQL warehouse for `--results-table` (default: the official Databricks driver). */
    sqlRunner?: () => Promise<SqlRunner>;
    /** Streamed `up` output. */
    progress?: (text: string) => void;
    /**
     * What the pack's cost-ratio policies need for a phase (its cost baseline), estimated
     * offline (default in the CLI: `costRatioConfigFor`); without it they are not configured.
     */
    costRatioConfig?: (options: LifecycleOptions, phase: number) => Promise<PolicyPackConfig>;
    /** Reads granted GPU quota for `promote --to 1` (default in the CLI: the Cloud Quotas API); without it, not checked. */
    quotaReader?: QuotaReader;
}

export interface LifecycleOptions {
    /** The stack's own name: its file is Pulumi.<stack>.yaml. */
    stack: string;
    /** The name as given when it was qualified (`acme/prod`): how the Pulumi CLI selects the stack. */
    qualifiedStack?: string;
    cwd: string;
    phaseKey: string;
    policyPack: string | null;
    stateDir: string;
    dryRun: boolean;
    /**
     * The stack file as the command found it, read on first use and then shared by every step
     * (the CLI sets it); without it each use reads the file again.
     */
    session?: () => StackSession;
}

/** The command's stack session: the stack file's values as the command started. */
export function stackSession(options: Pick<LifecycleOptions, "cwd" | "stack" | "phaseKey" | "session">): StackSession {
    return options.session ? options.session() : openStackSession(options.cwd, options.stack, { phaseKey: options.phaseKey });
}

/** A session opened once, on first use: what a command entry point sets as `LifecycleOptions.session`. */
export function sessionOnce(cwd: string, stack: string, phaseKey: string): () => StackSession {
    let session: StackSession | undefined;
    // Not kept on failure: each use reports the same ProjectError, as a fresh read would.
    return () => (session ??= openStackSession(cwd, stack, { phaseKey }));
}

/** A refusal by a rule (gate, lock, a stopped rollback): exit 1. */
export class RefusedError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "RefusedError";
    }
}

/** Bad input for the stack's state (a skipped phase, a rollback at phase 0): exit 2. */
export class LifecycleUsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "LifecycleUsageError";
    }
}

export class UpFailedError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UpFailedError";
    }
}

export const workloadKey = "migration:workload";
export const shareKey = "migration:workload.databricksShare";
/** Where `migration rollback --gradual` records its progress: in the stack's own config. */
export const gradualKey = "migration:gradualRollback";

export function resolveStateDir(cwd: string, stack: string, override?: string): string {
    return stateDir(cwd, stack, override);
}

/** Fails on an unknown stack or project before anything else runs. */
export function checkStack(options: Pick<LifecycleOptions, "cwd" | "stack" | "phaseKey" | "session">): StackSession {
    return stackSession(options);
}

export async function openDriver(options: LifecycleOptions, deps: LifecycleDeps): Promise<StackDriver> {
    const session = checkStack(options);
    return options.dryRun ? configFileDriver(session) : deps.driverFactory(options.cwd, options.qualifiedStack ?? options.stack);
}

export async function currentPhase(driver: StackDriver, phaseKey: string): Promise<number> {
    const raw = await driver.getConfig(phaseKey);
    const phase = Number(raw);
    if (raw === undefined || !/^\d+$/.test(raw.trim()) || phase > maxPhase) {
        throw new LifecycleUsageError(`${phaseKey} = ${JSON.stringify(raw)}: expected an integer from 0 to ${maxPhase} in the stack's config`);
    }
    return phase;
}

function workloadObject(raw: string | undefined): Record<string, unknown> {
    if (raw === undefined) return {};
    try {
        const parsed = JSON.parse(raw) as unknown;
        if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
        // reported below
    }
    throw new LifecycleUsageError(`${workloadKey} = ${raw}: expected an object such as { databricksShare: 0.6 }`);
}

/** The phase-3 Databricks share the program uses (its schema default when unset). */
export async function currentShare(driver: StackDriver): Promise<number> {
    const share = workloadObject(await driver.getConfig(workloadKey)).databricksShare;
    if (share === undefined) return hybridDatabricksShare;
    if (typeof share !== "number" || share < 0 || share > 1) {
        throw new LifecycleUsageError(`${shareKey} = ${JSON.stringify(share)}: expected a number from 0 to 1`);
    }
    return share;
}

/** Config overrides that set the share, for offline evaluation. */
export async function shareOverride(driver: StackDriver, share: number): Promise<Record<string, string>> {
    return { [workloadKey]: JSON.stringify(await workloadWithShare(driver, share)) };
}

/** The stack's workload object with another share, checked before it is written or evaluated. */
export async function workloadWithShare(driver: StackDriver, share: number): Promise<Record<string, unknown>> {
    if (!Number.isFinite(share) || share < 0 || share > 1) throw new Error(`internal: Databricks share ${share} is not a number from 0 to 1; nothing was written`);
    return { ...workloadObject(await driver.getConfig(workloadKey)), databricksShare: share };
}

/** The gradual rollback recorded in the stack's config, validated, or undefined. */
export async function readGradualRecord(driver: StackDriver): Promise<GradualRollbackRecord | undefined> {
    const raw = await driver.getConfig(gradualKey);
    if (raw === undefined) return undefined;
    let value: unknown;
    try {
        value = JSON.parse(raw);
    } catch {
        value = raw;
    }
    const parsed = gradualRollbackSchema().safeParse(value);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new LifecycleUsageError(
            `${gradualKey} = ${raw.slice(0, 200)}: not a gradual rollback record (${issue.path.join(".") || "the value"}: ${issue.message}). ` +
                "It is written by migration rollback --gradual only: restore the stack file from its last commit, or remove the key " +
                `(pulumi config rm ${gradualKey}) once the stack's share and phase are as wanted`,
        );
    }
    return parsed.data;
}

/**
 * Where the stack is: the phase and share its config declares, and the phase and share its
 * last completed update ran at (its outputs `phase` and `databricksShare`; unknown before the
 * first update, or in a dry run). Config ahead of the deployment means a step was interrupted
 * (or the stack file was changed by hand and not yet deployed).
 */
export interface StackPosition {
    declared: number;
    declaredShare: number;
    deployed?: number;
    deployedShare?: number;
}

export async function stackPosition(driver: StackDriver, phaseKey: string): Promise<StackPosition> {
    const declared = await currentPhase(driver, phaseKey);
    const declaredShare = await currentShare(driver);
    const outputs = await driver.outputs();
    const deployed = typeof outputs.phase === "number" && Number.isInteger(outputs.phase) && outputs.phase >= 0 && outputs.phase <= maxPhase ? outputs.phase : undefined;
    const share = outputs.databricksShare;
    const deployedShare = typeof share === "number" && share >= 0 && share <= 1 ? share : undefined;
    return { declared, declaredShare, ...(deployed === undefined ? {} : { deployed }), ...(deployedShare === undefined ? {} : { deployedShare }) };
}

/** One lifecycle step: what it changes, recorded as an intent before `up` and an outcome after. */
export interface StepPlan {
    kind: TransitionKind;
    fromPhase: number;
    toPhase: number;
    fromShare?: number;
    toShare?: number;
    stage?: number;
    gate?: Transition["gate"];
    /** The config that makes the step (its intent, in the stack itself), written before `up`. */
    apply: Record<string, ConfigInput>;
    /** The config put back when `up` fails: the stack file names what last deployed. */
    undo: Record<string, ConfigInput>;
    /** The config written once `up` succeeded (a record's completion, stamped then). */
    done?: () => Record<string, ConfigInput>;
    policyConfig: PolicyPackConfig;
    /** The update's message in the stack's history (`pulumi stack history`). */
    message: string;
}

/** Every value a step writes into the stack's config, checked against what the program accepts. */
function checkedConfig(values: Record<string, ConfigInput>, phaseKey: string): Record<string, ConfigInput> {
    for (const [key, value] of Object.entries(values)) {
        const fail = (what: string) => {
            throw new Error(`internal: ${key} = ${JSON.stringify(value)} is not ${what}; nothing was written`);
        };
        if (key === phaseKey) {
            if (typeof value !== "string" || !/^\d+$/.test(value) || Number(value) > maxPhase) fail(`a phase from 0 to ${maxPhase}`);
        } else if (key === workloadKey) {
            const share = typeof value === "object" ? value.databricksShare : undefined;
            if (typeof share !== "number" || !Number.isFinite(share) || share < 0 || share > 1) fail("a workload with a Databricks share from 0 to 1");
        } else if (key === gradualKey) {
            if (!gradualRollbackSchema().safeParse(value).success) fail("a gradual rollback record");
        } else {
            fail("a key the lifecycle commands write");
        }
    }
    return values;
}

/**
 * Runs one step: its intent in the history and in the stack's config, `up`, then its outcome.
 * A run killed during `up` leaves the intent in both: the stack's config names the step, so a
 * rerun finds the config ahead of the deployment and retries that same step.
 */
export async function runStep(driver: StackDriver, options: LifecycleOptions, deps: LifecycleDeps, plan: StepPlan): Promise<UpSummary> {
    const started = deps.now().toISOString();
    const record = (result: string) =>
        appendHistory(options.stateDir, {
            at: result === "started" ? started : deps.now().toISOString(),
            who: deps.user(),
            kind: plan.kind,
            step: `${started} ${plan.kind}`,
            fromPhase: plan.fromPhase,
            toPhase: plan.toPhase,
            ...(plan.fromShare === undefined ? {} : { fromShare: plan.fromShare }),
            ...(plan.toShare === undefined ? {} : { toShare: plan.toShare }),
            ...(plan.stage === undefined ? {} : { stage: plan.stage }),
            ...(plan.gate ? { gate: plan.gate } : {}),
            result,
        });
    const apply = checkedConfig(plan.apply, options.phaseKey);
    const undo = checkedConfig(plan.undo, options.phaseKey);
    record("started");
    await driver.setConfig(apply);
    let summary: UpSummary;
    try {
        summary = await runUp(driver, options, deps, plan.policyConfig, plan.message);
    } catch (err) {
        await driver.setConfig(undo);
        record((err as Error).message);
        throw err;
    }
    if (plan.done) await driver.setConfig(checkedConfig(plan.done(), options.phaseKey));
    record("succeeded");
    return summary;
}

export function lockStack(options: LifecycleOptions, deps: LifecycleDeps, command: string): Lock {
    try {
        return acquireLock(options.stateDir, { command, now: deps.now(), ...deps.lock });
    } catch (err) {
        if (err instanceof Error && err.name === "LockHeldError") throw new RefusedError(err.message);
        throw err;
    }
}

/**
 * `up` with the policy pack. `policyConfig` goes to the pack as a config file (written to a
 * temporary folder, removed after): promote passes its benchmark results to the pack's
 * promotion gate; rollbacks make that gate advisory, since recovery must not wait on metrics.
 */
export async function runUp(driver: StackDriver, options: LifecycleOptions, deps: LifecycleDeps, policyConfig: PolicyPackConfig, message?: string): Promise<UpSummary> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "migration-policy-"));
    try {
        const file = path.join(dir, "policy-config.json");
        // The stack's own policy config (e.g. dev's advisory cost ratios) first, as `migration check` uses it.
        const base = stackPolicyConfig({ session: stackSession(options) });
        const phase = Number(await driver.getConfig(options.phaseKey));
        const costRatio = deps.costRatioConfig && Number.isInteger(phase) ? await deps.costRatioConfig(options, phase) : {};
        fs.writeFileSync(file, JSON.stringify(mergePackConfig(base, costRatio, policyConfig), null, 2));
        const up: UpOptions = {
            policyPacks: options.policyPack ? [options.policyPack] : [],
            policyPackConfigs: options.policyPack ? [file] : [],
            onOutput: deps.progress,
            ...(message ? { message } : {}),
        };
        let summary: UpSummary;
        try {
            summary = await driver.up(up);
        } catch (err) {
            if (err instanceof StackBusyError) throw new RefusedError(err.message);
            throw new UpFailedError(`up failed: ${(err as Error).message}`);
        }
        if (summary.result !== "succeeded") throw new UpFailedError(`up ended with result "${summary.result}"`);
        return summary;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

export function formatChanges(summary: UpSummary): string {
    const entries = Object.entries(summary.resourceChanges).filter(([, n]) => n > 0);
    return entries.length === 0 ? "no changes" : entries.map(([op, n]) => `${op} ${n}`).join(", ");
}
