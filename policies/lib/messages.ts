/**
 * One shape for every violation: which resource, what was found, the limit and the fix, so a
 * reviewer reading a failed preview knows what to change without opening the policy.
 */

export interface Violation {
    /** The resource's type token and logical name, or a stack-level subject. */
    resource: string;
    /** The property (or aspect) found wanting, e.g. `autoterminationMinutes`. */
    what: string;
    found: string;
    limit: string;
    fix: string;
}

/**
 * A fix as every program can apply it, then how this project's own program does it: the pack
 * also judges programs that have none of this project's helpers or config keys.
 */
export function fix(generic: string, inThisProject?: string): string {
    return inThisProject ? `${generic} (in this project: ${inThisProject})` : generic;
}

export function subject(type: string, name: string): string {
    return `${type} "${name}"`;
}

export function violation(v: Violation): string {
    return `${v.resource}: ${v.what} is ${v.found}; required: ${v.limit}. Fix: ${v.fix}`;
}

export function show(value: unknown): string {
    if (value === undefined) return "not set";
    if (typeof value === "string") return JSON.stringify(value);
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    return JSON.stringify(value);
}

export function percent(ratio: number): string {
    return `${Math.round(ratio * 1000) / 10}%`;
}
