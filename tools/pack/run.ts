/**
 * Runs the plan's graphs through a CrossGuard policy pack, started once as its own process
 * and driven over the Analyzer protocol as the Pulumi CLI does (tools/pack/analyzer.ts), each
 * phase with the config `config.ts` builds for it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { StackPlan } from "../engine/plan";
import { sessionOf } from "../engine/session";
import { PlanCost } from "../cost/plan";
import { Violation } from "../report/report";
import { Diagnostic, PolicyPackError, PolicyPackHandle, startPolicyPack } from "./analyzer";
import { configuredPhaseOf, costInputs, phasePolicyConfig, StackPolicyOptions, stackPolicyConfig } from "./config";

export { PolicyPackError };

export type PolicyRunOptions = StackPolicyOptions & {
    packDir: string;
    cost?: PlanCost;
    timeoutMs?: number;
    /** Told as each phase goes to the pack, with its resource count: for a progress line. */
    onPhase?: (phase: number | null, resources: number) => void;
};

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

/** How a command gets its pack: a handle the command analyses with and closes when done. */
export type PackStarter = (options: Pick<PolicyRunOptions, "packDir" | "timeoutMs">) => Promise<PolicyPackHandle>;

/** Starts the pack as its own process, as the Pulumi CLI does; the caller runs `analyzePlan` with it and closes it. */
export const startPack: PackStarter = (options) => startPolicyPack(options.packDir, { timeoutMs: options.timeoutMs });

export async function analyzePlan(
    pack: PolicyPackHandle,
    plan: StackPlan,
    options: PolicyRunOptions,
): Promise<Map<number | null, Violation[]>> {
    const session = sessionOf(options);
    const { values, secretKeys } = session;
    const base = stackPolicyConfig({ session, ...(options.configFile !== undefined ? { configFile: options.configFile } : {}) });
    const policies = new Set(pack.info.policies.map((p) => p.name));
    const configuredPhase = configuredPhaseOf(session);
    const cost = costInputs(values, options.cost);
    const result = new Map<number | null, Violation[]>();
    for (const phase of plan.phases) {
        options.onPhase?.(phase.phase, phase.graph.resources.length);
        const analysis = await pack.analyze(phase.graph, {
            config: phasePolicyConfig({ base, policies, configuredPhase, phase: phase.phase, cost }),
            stackConfig: { ...values },
            stackSecretKeys: [...secretKeys],
            stackTags: { "pulumi:project": plan.project, "migration:phase": String(phase.phase ?? "") },
        });
        result.set(phase.phase, analysis.diagnostics.map(toViolation));
    }
    return result;
}
