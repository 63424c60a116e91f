/**
 * Policy config: each policy declares its thresholds as a JSON schema whose defaults are the
 * seed's numbers from `domain/targets.ts`, and reads them back merged over those defaults,
 * so a stack's policy config only needs the keys it tightens.
 */
import { PolicyConfigSchema } from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

export type SchemaProperties = Record<string, PolicyConfigJSONSchema & { description: string }>;

export function configSchema(properties: SchemaProperties): PolicyConfigSchema {
    return { properties };
}

export function fraction(defaultValue: number, description: string): PolicyConfigJSONSchema & { description: string } {
    return { type: "number", minimum: 0, maximum: 1, default: defaultValue, description };
}

export function count(
    defaultValue: number,
    description: string,
    minimum = 0,
): PolicyConfigJSONSchema & { description: string } {
    return { type: "integer", minimum, default: defaultValue, description };
}

export function stringList(defaultValue: readonly string[], description: string): PolicyConfigJSONSchema & { description: string } {
    return { type: "array", items: { type: "string" }, default: [...defaultValue], description };
}

/** The policy's config: schema defaults, overridden by what the stack configures. */
export function settings<T extends object>(args: { getConfig<C extends object>(): C }, schema: PolicyConfigSchema): T {
    const defaults: Record<string, unknown> = {};
    for (const [key, property] of Object.entries(schema.properties)) {
        if (property.default !== undefined) defaults[key] = structuredClone(property.default);
    }
    const configured = args.getConfig<Record<string, unknown>>();
    const result: Record<string, unknown> = { ...defaults };
    for (const [key, value] of Object.entries(configured)) {
        if (value !== undefined && value !== null) result[key] = value;
    }
    return result as T;
}
