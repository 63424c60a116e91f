/**
 * The leaves of the stack configuration schema: each carries an `accepted` text that the error
 * report and the docs quote, so a bad value is answered with what would have been right.
 */
import { z } from "zod";

/** Metadata attached to every leaf: the sentence the error report and docs quote. */
export interface FieldMeta {
    accepted: string;
    secret?: boolean;
}

const acceptedRegistry = new Map<z.ZodType, FieldMeta>();

export function field<T extends z.ZodType>(schema: T, meta: FieldMeta): T {
    acceptedRegistry.set(schema, meta);
    return schema;
}

/** The metadata of a leaf schema, looking through defaults and optionals. */
export function fieldMeta(schema: z.ZodType): FieldMeta | undefined {
    let current: z.ZodType | undefined = schema;
    while (current) {
        const meta = acceptedRegistry.get(current);
        if (meta) return meta;
        current = (current as unknown as { def?: { innerType?: z.ZodType } }).def?.innerType;
    }
    return undefined;
}

export function integer(min: number, max?: number) {
    const accepted = max === undefined ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
    let schema = z.number({ error: accepted }).int({ error: accepted }).min(min, { error: accepted });
    if (max !== undefined) schema = schema.max(max, { error: accepted });
    return field(schema, { accepted });
}

export function fraction(accepted = "a number from 0 to 1") {
    return field(z.number({ error: accepted }).min(0, { error: accepted }).max(1, { error: accepted }), { accepted });
}

export function positive(accepted: string) {
    return field(z.number({ error: accepted }).positive({ error: accepted }), { accepted });
}

export function nonNegative(accepted: string) {
    return field(z.number({ error: accepted }).min(0, { error: accepted }), { accepted });
}

/**
 * A map from names the user chooses (a pool, a job, a price path) to values of one schema.
 * Keys are checked where they are used (an unknown price path is reported by the cost model
 * with the paths it knows), so a bad value is reported with the value's own `accepted`.
 */
export function namedMap<T extends z.ZodType>(value: T, accepted: string) {
    return field(z.record(z.string(), value, { error: accepted }), { accepted });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
    const accepted = `one of ${values.map((v) => `"${v}"`).join(", ")}`;
    return field(z.enum(values, { error: accepted }), { accepted });
}

export function matching(pattern: RegExp, accepted: string) {
    return field(z.string({ error: accepted }).regex(pattern, { error: accepted }), { accepted });
}

export function flag() {
    return field(z.boolean({ error: "true or false" }), { accepted: "true or false" });
}

/** A fraction from the seed's value up to 1: a floor a stack may raise, never lower. */
export function atLeast(seedValue: number, what: string) {
    const accepted = `a number from ${seedValue} to 1 (${what}, or stricter)`;
    return field(z.number({ error: accepted }).min(seedValue, { error: accepted }).max(1, { error: accepted }), { accepted });
}
