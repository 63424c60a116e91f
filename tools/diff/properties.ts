/**
 * The input properties that differ between two versions of a resource, as Pulumi property
 * paths (`nodeConfig.guestAccelerators[0].count`, `labels["team-name"]`) with their old and
 * new values.
 *
 * Values are shown, never revealed: a secret on either side masks both sides of its path
 * (the other side may hold the same plaintext), a value not known until deployment is shown
 * as computed, and long strings (notebook sources, dashboard JSON) are shortened to a prefix,
 * their length and a digest, so a change is visible without the whole content.
 */
import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { isSecretMarker, secretPlaceholder } from "../model/graph";
import { unknownPlaceholder, unknownValue } from "../engine/wire";

/** How a value not known until the resource exists is shown. */
export const computedDisplay = "[computed]";
/** Strings longer than this are shortened in reports. */
export const longStringChars = 120;

export type ChangeKind = "add" | "delete" | "update";

export interface PropertyChange {
    /** Pulumi property path from the resource's inputs. */
    path: string;
    kind: ChangeKind;
    /** The value before (absent for `add`), display-safe. */
    old?: unknown;
    /** The value after (absent for `delete`), display-safe. */
    new?: unknown;
    /** The new value is not known until deployment. */
    computed?: boolean;
}

/**
 * A value not known at preview: the SDK's sentinel, or the engine's placeholder for it. Both
 * are accepted so the diff reads graphs whichever way the engine records unknowns.
 */
export function isUnknown(value: unknown): boolean {
    return value === unknownValue || value === unknownPlaceholder;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value) && !isSecretMarker(value);
}

function containsSecret(value: unknown): boolean {
    if (isSecretMarker(value)) return true;
    if (Array.isArray(value)) return value.some(containsSecret);
    if (isPlainObject(value)) return Object.values(value).some(containsSecret);
    return false;
}

function shorten(text: string): string {
    if (text.length <= longStringChars) return text;
    const digest = createHash("sha256").update(text).digest("hex").slice(0, 12);
    return `${text.slice(0, 40)}… (${text.length.toLocaleString("en-US")} chars, sha256 ${digest})`;
}

/** A value as reports may show it: secrets masked, unknowns as computed, long strings shortened. */
export function displayValue(value: unknown): unknown {
    if (isSecretMarker(value)) return secretPlaceholder;
    if (isUnknown(value)) return computedDisplay;
    if (typeof value === "string") return shorten(value);
    if (Array.isArray(value)) return value.map(displayValue);
    if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, displayValue(v)]));
    return value;
}

/** One value as a short line of text, for the text and markdown reports. */
export function formatValue(value: unknown): string {
    if (value === secretPlaceholder || value === computedDisplay) return value;
    if (typeof value === "string") return JSON.stringify(value);
    const text = JSON.stringify(value) ?? "undefined";
    return text.length <= longStringChars ? text : `${text.slice(0, longStringChars - 1)}…`;
}

const identifier = /^[A-Za-z_$][\w$]*$/;

export function childPath(parent: string, key: string | number): string {
    if (typeof key === "number") return `${parent}[${key}]`;
    if (identifier.test(key)) return parent === "" ? key : `${parent}.${key}`;
    return `${parent}[${JSON.stringify(key)}]`;
}

function walk(path: string, before: unknown, after: unknown, out: PropertyChange[]): void {
    if (isDeepStrictEqual(before, after)) return;
    if (before === undefined) {
        out.push({ path, kind: "add", new: displayValue(after), ...(isUnknown(after) ? { computed: true } : {}) });
        return;
    }
    if (after === undefined) {
        out.push({ path, kind: "delete", old: displayValue(before) });
        return;
    }
    if (isPlainObject(before) && isPlainObject(after)) {
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
        for (const key of keys) walk(childPath(path, key), before[key], after[key], out);
        return;
    }
    if (Array.isArray(before) && Array.isArray(after)) {
        for (let i = 0; i < Math.max(before.length, after.length); i++) walk(childPath(path, i), before[i], after[i], out);
        return;
    }
    if (containsSecret(before) || containsSecret(after)) {
        out.push({ path, kind: "update", old: secretPlaceholder, new: secretPlaceholder });
        return;
    }
    out.push({ path, kind: "update", old: displayValue(before), new: displayValue(after), ...(isUnknown(after) ? { computed: true } : {}) });
}

/** Every leaf path whose value differs between two input objects, in path order. */
export function propertyChanges(before: Record<string, unknown>, after: Record<string, unknown>): PropertyChange[] {
    const out: PropertyChange[] = [];
    walk("", before, after, out);
    return out;
}

/** `nodeConfig.guestAccelerators[0].count` → `nodeConfig.guestAccelerators.count`: the path a schema names. */
export function schemaPath(path: string): string {
    return path
        .replace(/\[(?:\d+|\*)\]/g, "")
        .replace(/\["((?:[^"\\]|\\.)*)"\]/g, (_, key: string) => `.${JSON.parse(`"${key}"`)}`)
        .replace(/^\./, "");
}

/** Whether `path` is `prefix` or below it (`a.b` is below `a`; `ab` is not). */
export function isAtOrBelow(path: string, prefix: string): boolean {
    return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
}
