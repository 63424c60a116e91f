/**
 * A stack's cost assumptions, read from its `Pulumi.<stack>.yaml` through the one config
 * loader (so a bad `migration:cost` value fails with the same key/value/accepted report as
 * `pulumi up` would); its price overrides are checked against the catalog. Only the keys the
 * cost model reads are validated: `migration diff` prices a base commit whose stack file was
 * written for that commit's schema, not the working tree's.
 */
import { parseStackConfigKeys } from "../../domain/stackConfig";
import { CostConfig, costTargetsEnforced } from "../../domain/costConfig";
import { sessionOf, StackSession } from "../engine/session";
import { defaultCatalog, withOverrides } from "../model/cost/catalog";

export interface StackCostInputs {
    stack: string;
    phase: number;
    usage: CostConfig;
    /** False when the stack's policy config makes the cost targets advice (dev, whose baseline is one spot node). */
    targetsEnforced: boolean;
}

/** Cost inputs from raw stack config values (fully qualified keys, string values, as Pulumi passes them). */
export function costInputsFromConfig(stack: string, values: Record<string, string>, secretKeys: readonly string[] = [], project?: string): StackCostInputs {
    const config = parseStackConfigKeys({ values, secretKeys: new Set(secretKeys), stack, ...(project ? { project } : {}) }, ["phase", "cost", "policyConfig"]);
    // Checked here so a bad price path fails when the stack is read, not halfway through a plan.
    withOverrides(defaultCatalog, config.cost.priceOverrides);
    return { stack, phase: config.phase, usage: config.cost, targetsEnforced: costTargetsEnforced(config.policyConfig) };
}

/** Cost inputs of a stack of the project in `projectDir`, with config overrides (`{"migration:cost": {...}}`) on top. */
export function costInputsForStack(session: StackSession, overrides?: Record<string, unknown>): StackCostInputs;
export function costInputsForStack(projectDir: string, stack: string, overrides?: Record<string, unknown>): StackCostInputs;
export function costInputsForStack(
    ...args: [StackSession, Record<string, unknown>?] | [string, string, Record<string, unknown>?]
): StackCostInputs {
    const [session, overrides = {}] =
        typeof args[0] === "string" ? [sessionOf({ projectDir: args[0], stack: args[1] as string }), args[2]] : [args[0], args[1] as Record<string, unknown> | undefined];
    const { project, stack, secretKeys } = session;
    const values = { ...session.values };
    for (const [key, value] of Object.entries(overrides)) values[key] = typeof value === "string" ? value : JSON.stringify(value);
    return costInputsFromConfig(stack, values, secretKeys, project.name);
}
