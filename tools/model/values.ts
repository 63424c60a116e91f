/**
 * Reading resource properties safely. At preview, values that depend on other resources are
 * unknown; the policy SDK's property proxy throws on reading one, which the server turns into
 * an advisory "can't run policy during preview" diagnostic. A policy here reads a snapshot
 * instead, in which every unknown is the `unknown` marker: a check whose input is not yet
 * known is skipped, never reported.
 */

export const unknown: unique symbol = Symbol("unknown");
export type Unknown = typeof unknown;

/** A snapshot of provider-typed properties: plain data, any part of which may be unknown. */
export type Snap<T> = T extends string | number | boolean
    ? T | Unknown
    : T extends readonly (infer E)[]
      ? Snap<E>[] | Unknown
      : T extends object
        ? { [K in keyof T]: Snap<T[K]> } | Unknown
        : T;

/**
 * The wire sentinels for unknown values (Pulumi's RPC protocol): one per kind. Props given
 * without the SDK's proxy (e.g. read from a graph) carry them as plain strings.
 */
const unknownSentinels = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

export function isUnknown(value: unknown): value is Unknown {
    return value === unknown;
}

function isUnknownValueError(error: unknown): boolean {
    return (
        error instanceof Error &&
        (error.constructor.name === "UnknownValueError" || "unknownTypeSentinel" in (error as object))
    );
}

function read(container: Record<PropertyKey, unknown>, key: PropertyKey): unknown {
    let value: unknown;
    try {
        value = container[key];
    } catch (error) {
        if (isUnknownValueError(error)) return unknown;
        throw error;
    }
    return snapshot(value);
}

/** Plain data from (possibly proxied) properties, unknowns replaced by the marker. */
export function snapshot<T>(value: T): Snap<T> {
    if (typeof value === "string" && unknownSentinels.has(value)) return unknown as Snap<T>;
    if (value === null || typeof value !== "object") return value as Snap<T>;
    const container = value as unknown as Record<PropertyKey, unknown>;
    if (Array.isArray(value)) {
        const out: unknown[] = [];
        for (let i = 0; i < value.length; i++) out.push(read(container, i));
        return out as Snap<T>;
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as object)) {
        const v = read(container, key);
        if (v !== undefined) out[key] = v;
    }
    return out as Snap<T>;
}

/** True when the value, or anything inside it, is unknown. */
export function hasUnknown(value: unknown): boolean {
    if (isUnknown(value)) return true;
    if (Array.isArray(value)) return value.some(hasUnknown);
    if (value !== null && typeof value === "object") return Object.values(value).some(hasUnknown);
    return false;
}

/** The object itself, or undefined when it is absent or unknown (a check skips both). */
export function known<T>(value: T | Unknown | undefined | null): T | undefined {
    return value === undefined || value === null || isUnknown(value) ? undefined : value;
}

/** A number, accepting numeric strings (Spark conf and table properties are strings). */
export function asNumber(value: unknown): number | undefined {
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
    return undefined;
}

/** Every string in a value, with its property path, for checks that scan whole resources. */
export function* strings(value: unknown, path = ""): Generator<{ path: string; value: string }> {
    if (typeof value === "string") {
        yield { path, value };
    } else if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) yield* strings(value[i], `${path}[${i}]`);
    } else if (value !== null && typeof value === "object" && !isUnknown(value)) {
        for (const [key, v] of Object.entries(value)) yield* strings(v, path ? `${path}.${key}` : key);
    }
}

/** Map entries of a string map (labels, Spark conf); a value may be unknown, the caller decides. */
export function entries(value: unknown): [string, unknown][] {
    if (value === null || typeof value !== "object" || Array.isArray(value) || isUnknown(value)) return [];
    return Object.entries(value as Record<string, unknown>);
}
