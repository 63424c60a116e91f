/**
 * The one place the policy pack's configuration is built, for every purpose: each phase of a
 * `plan`/`check`, the file `policy-config` writes for a real `pulumi preview
 * --policy-pack-config`, and the config `up` gets during promote and rollback.
 *
 * Precedence, lowest to highest: the stack's `migration:policyConfig`; the `--policy-config`
 * file (the format of `pulumi up --policy-pack-config`); what the cost-ratio policies need from
 * the plan itself (phase, the stack's `migration:cost`, the phase-0 baseline); then the
 * purpose's own settings (the gate's benchmark results on promote; the gate as advice on a
 * rollback, and on a phase the stack is not configured for).
 */
import * as fs from "node:fs";
import { costRatioForecastPolicy, costRatioPolicyConfig, costRatioTargetsPolicy, promotionGatePolicy } from "../../domain/packContract";
import { baselinePhase, estimatePlan, PlanCost } from "../cost/plan";
import { planStack } from "../engine/plan";
import { sessionOf, StackLocation, StackSession } from "../engine/session";
import { baselineOf, CostBaseline } from "../model/cost/estimate";
import { secretPlaceholder } from "../model/graph";
import { AnalyzerInfo, PolicyPackConfig, PolicyPackError, resolvePolicyConfig } from "./analyzer";

/** The stack, as a command's session or (for callers outside a command) where its file is. */
export type StackPolicyOptions = ({ session: StackSession } | (StackLocation & { policyConfigKey: string })) & {
    /** A `--policy-config` file. */
    configFile?: string;
};

/** The gate as advice: a rollback must not wait on metrics, and a later phase previewed is not the move the gate guards. */
export const advisoryGate: PolicyPackConfig = { [promotionGatePolicy]: { enforcementLevel: "advisory" } };

/** The gate given the benchmark results a promotion rests on. */
export function gateWithResults(results: unknown): PolicyPackConfig {
    return { [promotionGatePolicy]: { results } };
}

function readJson(file: string, what: string): unknown {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new PolicyPackError("config", `cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    try {
        return JSON.parse(text);
    } catch (err) {
        throw new PolicyPackError("config", `${what} ${file} is not valid JSON: ${(err as Error).message}`);
    }
}

function asPackConfig(value: unknown, where: string): PolicyPackConfig {
    if (value === undefined) return {};
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new PolicyPackError("config", `${where}: expected an object of policy name → enforcement level or settings`);
    }
    return value as PolicyPackConfig;
}

/** The policy config a stack is checked with, before the plan's own cost-ratio inputs. */
export function stackPolicyConfig(options: StackPolicyOptions): PolicyPackConfig {
    const { values, secretKeys, policyConfigKey } = sessionOf(options);
    const raw = values[policyConfigKey];
    if (raw !== undefined && secretKeys.includes(policyConfigKey)) {
        throw new PolicyPackError(
            "config",
            `${policyConfigKey} holds a secret (at ${secretPaths(JSON.parse(raw), "").join(", ") || "its top level"}): policy settings reach ` +
                "the pack in plain text, as a --policy-pack-config file does, and the offline engine cannot decrypt a secure value; " +
                "keep secrets out of the policy config",
        );
    }
    const fromStack = asPackConfig(raw === undefined ? undefined : JSON.parse(raw), policyConfigKey);
    const fromFile = options.configFile ? asPackConfig(readJson(options.configFile, "policy config"), options.configFile) : {};
    return { ...fromStack, ...fromFile };
}

/** Where a config value holds the secret placeholder (`a.b[0]`). */
function secretPaths(value: unknown, at: string): string[] {
    if (value === secretPlaceholder) return [at];
    if (Array.isArray(value)) return value.flatMap((v, i) => secretPaths(v, `${at}[${i}]`));
    if (value !== null && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) => secretPaths(v, at ? `${at}.${k}` : k));
    }
    return [];
}

export interface PhasePolicyInputs {
    /** The stack's own policy config (`stackPolicyConfig`). */
    base: PolicyPackConfig;
    /** Names of the pack's policies. */
    policies: ReadonlySet<string>;
    /** The phase the stack file configures, and the phase being checked. */
    configuredPhase: number | null;
    phase: number | null;
    /** The stack's `migration:cost` group as written, and its phase-0 estimate. */
    cost?: { group: unknown; baseline: CostBaseline };
}

/**
 * The policy config one phase is checked with: the stack's own, plus what the cost-ratio
 * policies need (phase, cost group, baseline); and the promotion gate as advice for a phase
 * the stack is not configured for, which is a preview of a later promotion, not the move
 * the gate guards.
 */
export function phasePolicyConfig(inputs: PhasePolicyInputs): PolicyPackConfig {
    let config = inputs.base;
    const { phase } = inputs;
    if (phase !== null && inputs.cost && (inputs.policies.has(costRatioTargetsPolicy) || inputs.policies.has(costRatioForecastPolicy))) {
        config = mergePackConfig(config, costRatioPolicyConfig({ phase, cost: inputs.cost.group, baseline: inputs.cost.baseline }) as PolicyPackConfig);
    }
    if (phase !== inputs.configuredPhase && inputs.policies.has(promotionGatePolicy)) {
        config = mergePackConfig(config, advisoryGate);
    }
    return config;
}

/** `extras` over `base`, policy by policy: a policy's settings are merged, a bare level becomes `{ enforcementLevel }`. */
export function mergePackConfig(base: PolicyPackConfig, ...extras: PolicyPackConfig[]): PolicyPackConfig {
    const merged: PolicyPackConfig = { ...base };
    for (const [name, value] of extras.flatMap((extra) => Object.entries(extra))) {
        const current = merged[name];
        const currentObject = typeof current === "string" ? { enforcementLevel: current } : (current ?? {});
        merged[name] = { ...currentObject, ...(typeof value === "string" ? { enforcementLevel: value } : value) };
    }
    return merged;
}

/** The phase the stack file configures, or null for a stack without the phase key. */
export function configuredPhaseOf(session: StackSession): number | null {
    return session.phaseValue === undefined ? null : Number(session.phaseValue);
}

export function costInputs(values: Readonly<Record<string, string>>, cost: PlanCost | undefined): PhasePolicyInputs["cost"] {
    if (!cost) return undefined;
    return { group: values["migration:cost"] === undefined ? {} : JSON.parse(values["migration:cost"]), baseline: baselineOf(cost.baseline) };
}

/** The cost-ratio policies' config for one phase of a stack, its baseline estimated offline. */
export async function costRatioConfigFor(session: StackSession, phase: number): Promise<PolicyPackConfig>;
export async function costRatioConfigFor(projectDir: string, stack: string, phaseKey: string, phase: number): Promise<PolicyPackConfig>;
export async function costRatioConfigFor(...args: [StackSession, number] | [string, string, string, number]): Promise<PolicyPackConfig> {
    const [session, phase] = args.length === 2 ? args : [sessionOf({ projectDir: args[0], stack: args[1], phaseKey: args[2] }), args[3]];
    const plan = await planStack({ session, projectDir: session.project.dir, stack: session.stack, phases: [phase], phaseKey: session.phaseKey, previews: false, baselinePhase });
    const cost = estimatePlan(plan, session);
    const inputs = costInputs(session.values, cost);
    return inputs ? (costRatioPolicyConfig({ phase, cost: inputs.group, baseline: inputs.baseline }) as PolicyPackConfig) : {};
}

/**
 * The whole policy config of one phase of a stack, for a started pack: what a real
 * `pulumi preview --policy-pack policies --policy-pack-config FILE` needs to judge the stack as
 * `migration check` does (the CLI cannot estimate the phase-0 baseline itself).
 */
export function policyConfigOf(
    phase: number | null,
    cost: PlanCost | undefined,
    options: StackPolicyOptions,
    pack: AnalyzerInfo,
): PolicyPackConfig {
    const session = sessionOf(options);
    const config = phasePolicyConfig({
        base: stackPolicyConfig({ session, ...(options.configFile !== undefined ? { configFile: options.configFile } : {}) }),
        policies: new Set(pack.policies.map((p) => p.name)),
        configuredPhase: configuredPhaseOf(session),
        phase,
        cost: costInputs(session.values, cost),
    });
    // Refused here as `check` refuses it: a config naming an unknown policy or breaking a schema.
    resolvePolicyConfig(pack, config);
    return config;
}
