/**
 * Runs the plan's graphs through a CrossGuard policy pack, started once as its own process
 * and driven over the Analyzer protocol as the Pulumi CLI does (tools/engine/analyzer.ts).
 *
 * Policy config, lowest to highest precedence: the stack's `migration:policyConfig`, the
 * `--policy-config` file (the format of `pulumi up --policy-pack-config`), and what the
 * cost-ratio policies need from the plan itself (phase, the stack's `migration:cost`, and
 * the phase-0 baseline).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { costRatioForecastName, costRatioPolicyConfig, costRatioTargetsName } from "../../policies/cost/costRatio";
import { packArgs, packName } from "../../policies/all";
import { promotionGateName } from "../../policies/gates/promotionGate";
import { baselineOf, CostBaseline } from "../cost/estimate";
import { AnalyzerInfo, Diagnostic, PolicyInfo, PolicyPackConfig, PolicyPackError, PolicyPackHandle, resolvePolicyConfig, startPolicyPack } from "../engine/analyzer";
import { secretPlaceholder } from "../engine/graph";
import { planStack, StackPlan } from "../engine/plan";
import { readProject, readStackConfig } from "../engine/project";
import { baselinePhase, estimatePlan, PlanCost } from "./cost";
import { Violation } from "./report";

export { PolicyPackError };

export interface PolicyRunOptions {
    projectDir: string;
    stack: string;
    packDir: string;
    configFile?: string;
    /** The stack config key holding per-stack policy config. */
    policyConfigKey: string;
    /** The stack config key that selects the phase. */
    phaseKey: string;
    cost?: PlanCost;
    timeoutMs?: number;
    /** Told as each phase goes to the pack, with its resource count: for a progress line. */
    onPhase?: (phase: number | null, resources: number) => void;
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
export function stackPolicyConfig(options: Pick<PolicyRunOptions, "projectDir" | "stack" | "configFile" | "policyConfigKey">): PolicyPackConfig {
    const { values, secretKeys } = readStackConfig(readProject(options.projectDir), options.stack);
    const raw = values[options.policyConfigKey];
    if (raw !== undefined && secretKeys.includes(options.policyConfigKey)) {
        throw new PolicyPackError(
            "config",
            `${options.policyConfigKey} holds a secret (at ${secretPaths(JSON.parse(raw), "").join(", ") || "its top level"}): policy settings reach ` +
                "the pack in plain text, as a --policy-pack-config file does, and the offline engine cannot decrypt a secure value; " +
                "keep secrets out of the policy config",
        );
    }
    const fromStack = asPackConfig(raw === undefined ? undefined : JSON.parse(raw), options.policyConfigKey);
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
    if (phase !== null && inputs.cost && (inputs.policies.has(costRatioTargetsName) || inputs.policies.has(costRatioForecastName))) {
        config = merge(config, costRatioPolicyConfig({ phase, cost: inputs.cost.group, baseline: inputs.cost.baseline }) as PolicyPackConfig);
    }
    if (phase !== inputs.configuredPhase && inputs.policies.has(promotionGateName)) {
        config = merge(config, { [promotionGateName]: { enforcementLevel: "advisory" } });
    }
    return config;
}

function merge(base: PolicyPackConfig, extra: PolicyPackConfig): PolicyPackConfig {
    const merged: PolicyPackConfig = { ...base };
    for (const [name, value] of Object.entries(extra)) {
        const current = merged[name];
        const currentObject = typeof current === "string" ? { enforcementLevel: current } : (current ?? {});
        merged[name] = { ...currentObject, ...(value as object) };
    }
    return merged;
}

export function toViolation(d: Diagnostic): Violation {
    const prefix = `${d.description}\n`;
    const message = d.description && d.message.startsWith(prefix) ? d.message.slice(prefix.length) : d.message;
    return {
        policyPack: d.policyPackName,
        policy: d.policyName,
        enforcementLevel: d.enforcementLevel,
        ...(d.urn ? { urn: d.urn } : {}),
        message,
        ...(d.description ? { description: d.description } : {}),
    };
}

/**
 * The policy pack a command runs: `--policy-pack DIR`, `none`, or by default `<cwd>/policies`
 * when it holds a pack. A named folder without `PulumiPolicy.yaml` is refused through `refuse`.
 */
export function resolvePolicyPack(cwd: string, option: string | undefined, refuse: (message: string) => Error): string | null {
    if (option === undefined) {
        const fallback = path.join(cwd, "policies");
        return fs.existsSync(path.join(fallback, "PulumiPolicy.yaml")) ? fallback : null;
    }
    if (option === "none") return null;
    const dir = path.resolve(option);
    if (!fs.existsSync(path.join(dir, "PulumiPolicy.yaml"))) {
        throw refuse(`--policy-pack ${option}: no PulumiPolicy.yaml in ${dir}; expected a policy pack directory or "none"`);
    }
    return dir;
}

/** Starts the pack; the caller runs `analyzePlan` with it and closes it. */
export function startPack(options: Pick<PolicyRunOptions, "packDir" | "timeoutMs">): Promise<PolicyPackHandle> {
    return startPolicyPack(options.packDir, { timeoutMs: options.timeoutMs });
}

/**
 * The whole policy config of one phase of a stack, for the project's own pack: what a real
 * `pulumi preview --policy-pack policies --policy-pack-config FILE` needs to judge the stack as
 * `migration check` does (the CLI cannot estimate the phase-0 baseline itself).
 */
export function policyConfigOf(
    phase: number | null,
    cost: PlanCost | undefined,
    options: Pick<PolicyRunOptions, "projectDir" | "stack" | "configFile" | "policyConfigKey" | "phaseKey">,
): PolicyPackConfig {
    const { values } = readStackConfig(readProject(options.projectDir), options.stack);
    const config = phasePolicyConfig({
        base: stackPolicyConfig(options),
        policies: new Set(packArgs.policies.map((p) => p.name)),
        configuredPhase: options.phaseKey in values ? Number(values[options.phaseKey]) : null,
        phase,
        cost: costInputs(values, cost),
    });
    // Refused here as `check` refuses it: a config naming an unknown policy or breaking a schema.
    resolvePolicyConfig(ownPackInfo(), config);
    return config;
}

/** The project's own pack as the Pulumi CLI sees it once started: its policies and their config schemas. */
export function ownPackInfo(): AnalyzerInfo {
    return {
        name: packName,
        version: "",
        supportsConfig: true,
        policies: packArgs.policies.map((p) => ({
            name: p.name,
            description: p.description,
            enforcementLevel: p.enforcementLevel ?? "advisory",
            type: "unknown",
            ...(p.configSchema ? { configSchema: p.configSchema as PolicyInfo["configSchema"] } : {}),
        })),
    };
}

function costInputs(values: Record<string, string>, cost: PlanCost | undefined): PhasePolicyInputs["cost"] {
    if (!cost) return undefined;
    return { group: values["migration:cost"] === undefined ? {} : JSON.parse(values["migration:cost"]), baseline: baselineOf(cost.baseline) };
}

/** The cost-ratio policies' config for one phase of a stack, its baseline estimated offline. */
export async function costRatioConfigFor(projectDir: string, stack: string, phaseKey: string, phase: number): Promise<PolicyPackConfig> {
    const plan = await planStack({ projectDir, stack, phases: [phase], phaseKey, previews: false, baselinePhase });
    const cost = estimatePlan(plan, projectDir);
    const { values } = readStackConfig(readProject(projectDir), stack);
    const inputs = costInputs(values, cost);
    return inputs ? (costRatioPolicyConfig({ phase, cost: inputs.group, baseline: inputs.baseline }) as PolicyPackConfig) : {};
}

export async function analyzePlan(
    pack: PolicyPackHandle,
    plan: StackPlan,
    options: PolicyRunOptions,
): Promise<Map<number | null, Violation[]>> {
    const { values, secretKeys } = readStackConfig(readProject(options.projectDir), options.stack);
    const base = stackPolicyConfig(options);
    const policies = new Set(pack.info.policies.map((p) => p.name));
    const configuredPhase = options.phaseKey in values ? Number(values[options.phaseKey]) : null;
    const cost = costInputs(values, options.cost);
    const result = new Map<number | null, Violation[]>();
    for (const phase of plan.phases) {
        options.onPhase?.(phase.phase, phase.graph.resources.length);
        const analysis = await pack.analyze(phase.graph, {
            config: phasePolicyConfig({ base, policies, configuredPhase, phase: phase.phase, cost }),
            stackConfig: values,
            stackSecretKeys: secretKeys,
            stackTags: { "pulumi:project": plan.project, "migration:phase": String(phase.phase ?? "") },
        });
        result.set(phase.phase, analysis.diagnostics.map(toViolation));
    }
    return result;
}
