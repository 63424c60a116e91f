/**
 * What every lifecycle command shares: its options, the injected clock, user and driver, the
 * stack's phase and workload share as its config holds them, and the policy config a real
 * `up` passes to the pack.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { hybridDatabricksShare, maxPhase } from "../../components/targets";
import { readProject, readStackConfig } from "../engine/project";
import { stackPolicyConfig } from "../cli/policies";
import { SqlRunner } from "./benchmarkTable";
import { configFileDriver, DriverFactory, StackDriver, UpOptions, UpSummary } from "./driver";
import { acquireLock, Lock, LockOptions } from "./lock";
import type { QuotaReader } from "./quota";
import { stateDir } from "./state";

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
    costRatioConfig?: (options: LifecycleOptions, phase: number) => Promise<Record<string, unknown>>;
    /** Reads granted GPU quota for `promote --to 1` (default in the CLI: the Cloud Quotas API); without it, not checked. */
    quotaReader?: QuotaReader;
}

export interface LifecycleOptions {
    stack: string;
    cwd: string;
    phaseKey: string;
    policyPack: string | null;
    stateDir: string;
    dryRun: boolean;
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

export function resolveStateDir(cwd: string, stack: string, override?: string): string {
    return stateDir(cwd, stack, override);
}

/** Fails on an unknown stack or project before anything else runs. */
export function checkStack(options: Pick<LifecycleOptions, "cwd" | "stack">): void {
    readStackConfig(readProject(options.cwd), options.stack);
}

export async function openDriver(options: LifecycleOptions, deps: LifecycleDeps): Promise<StackDriver> {
    checkStack(options);
    return options.dryRun ? configFileDriver(options.cwd, options.stack) : deps.driverFactory(options.cwd, options.stack);
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
    const workload = workloadObject(await driver.getConfig(workloadKey));
    return { [workloadKey]: JSON.stringify({ ...workload, databricksShare: share }) };
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
export async function runUp(driver: StackDriver, options: LifecycleOptions, deps: LifecycleDeps, policyConfig: Record<string, unknown>): Promise<UpSummary> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "migration-policy-"));
    try {
        const file = path.join(dir, "policy-config.json");
        // The stack's own policy config (e.g. dev's advisory cost ratios) first, as `migration check` uses it.
        const base = stackPolicyConfig({ projectDir: options.cwd, stack: options.stack, policyConfigKey: `${options.phaseKey.split(":")[0]}:policyConfig` });
        const phase = Number(await driver.getConfig(options.phaseKey));
        const costRatio = deps.costRatioConfig && Number.isInteger(phase) ? await deps.costRatioConfig(options, phase) : {};
        const merged: Record<string, unknown> = { ...base };
        for (const [name, value] of Object.entries({ ...costRatio, ...policyConfig })) {
            const current = merged[name];
            merged[name] = { ...(typeof current === "string" ? { enforcementLevel: current } : ((current as object | undefined) ?? {})), ...(value as object) };
        }
        fs.writeFileSync(file, JSON.stringify(merged, null, 2));
        const up: UpOptions = {
            policyPacks: options.policyPack ? [options.policyPack] : [],
            policyPackConfigs: options.policyPack ? [file] : [],
            onOutput: deps.progress,
        };
        let summary: UpSummary;
        try {
            summary = await driver.up(up);
        } catch (err) {
            throw new UpFailedError(`up failed: ${(err as Error).message}`);
        }
        if (summary.result !== "succeeded") throw new UpFailedError(`up ended with result "${summary.result}"`);
        return summary;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

export const advisoryGate = { "promotion-gate": { enforcementLevel: "advisory" } };

export function formatChanges(summary: UpSummary): string {
    const entries = Object.entries(summary.resourceChanges).filter(([, n]) => n > 0);
    return entries.length === 0 ? "no changes" : entries.map(([op, n]) => `${op} ${n}`).join(", ");
}
