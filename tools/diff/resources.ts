/**
 * What a change does to one stack's resources: the engine's preview between the base graph
 * and the working tree's (tools/engine/diff.ts), with, for each changed resource, its
 * property paths old → new and whether the update replaces it (./replacement.ts).
 *
 * Resources whose loss costs data or needs an operator come first: a stateful or protected
 * resource that would be deleted, replaced, or whose delete `pulumi up` refuses (protected).
 */
import { isStateful } from "../../domain/stateful";
import { preview } from "../engine/diff";
import { GraphResource, isProviderType, ResourceGraph } from "../model/graph";
import { PropertyChange, propertyChanges } from "./properties";
import { updateKind, UpdateKind, withoutIgnored } from "./replacement";

/**
 * `create`: new in the stack. `delete`: removed, and deleted in the cloud. `retain`: removed
 * from the stack, kept in the cloud (`retainOnDelete`). `blocked`: removed but protected, so
 * `pulumi up` refuses. `update`, `replace`, `may-replace`: changed inputs (./replacement.ts).
 */
export type ResourceOp = "create" | "delete" | "retain" | "blocked" | UpdateKind;

export interface ResourceChange {
    urn: string;
    type: string;
    name: string;
    op: ResourceOp;
    /** Input paths that differ (updates only; ignored paths left out). */
    properties: PropertyChange[];
    /** Why an update replaces or may replace the resource. */
    reasons: string[];
    stateful: boolean;
    protect: boolean;
    /** Set when the change risks the resource's data or needs an operator: listed first. */
    flag?: string;
}

const updateOps: readonly ResourceOp[] = ["update", "replace", "may-replace"];
const removeOps: readonly ResourceOp[] = ["delete", "retain", "blocked"];

export function isUpdate(op: ResourceOp): boolean {
    return updateOps.includes(op);
}

export function isRemoval(op: ResourceOp): boolean {
    return removeOps.includes(op);
}

function providerUrn(reference: string | undefined): string | undefined {
    return reference?.split("::").slice(0, -1).join("::");
}

function flagOf(op: ResourceOp, stateful: boolean, protect: boolean): string | undefined {
    if (!stateful && !protect) return undefined;
    const what = stateful ? "stateful" : "protected";
    switch (op) {
        case "delete":
            return `${what} resource deleted: its data is lost`;
        case "replace":
            return protect ? `${what} resource replaced: \`pulumi up\` refuses to replace a protected resource` : `${what} resource replaced: the old one and its data are deleted`;
        case "may-replace":
            return `${what} resource may be replaced: check the reasons before merging`;
        case "blocked":
            return `${what} resource removed from the program: \`pulumi up\` refuses to delete it (protected)`;
        default:
            return undefined;
    }
}

/** Whether a change deletes stateful data, or tries to: the diff's exit code 1. */
export function deletesStatefulData(change: ResourceChange): boolean {
    return change.stateful && (change.op === "delete" || change.op === "replace" || change.op === "blocked");
}

/** The resource changes from `before` to `after`, flagged ones first, then in registration order. */
export function diffResources(before: ResourceGraph, after: ResourceGraph): ResourceChange[] {
    const step = preview(before, after);
    const old = new Map(before.resources.map((r) => [r.urn, r]));
    const next = new Map(after.resources.map((r) => [r.urn, r]));
    const order = new Map<string, number>();
    for (const r of [...after.resources, ...before.resources]) if (!order.has(r.urn)) order.set(r.urn, order.size);

    const changedProviders = new Set(step.update.filter((urn) => isProviderType(next.get(urn)!.type)));
    const changes: ResourceChange[] = [];
    const add = (resource: GraphResource, op: ResourceOp, properties: PropertyChange[] = [], reasons: string[] = []) => {
        const stateful = isStateful(resource.type);
        const flag = flagOf(op, stateful, resource.protect);
        changes.push({ urn: resource.urn, type: resource.type, name: resource.name, op, properties, reasons, stateful, protect: resource.protect, ...(flag ? { flag } : {}) });
    };

    for (const urn of step.create) add(next.get(urn)!, "create");
    for (const urn of step.update) {
        const a = old.get(urn)!;
        const b = next.get(urn)!;
        const properties = withoutIgnored(propertyChanges(a.inputs, b.inputs), b.ignoreChanges);
        const providerChanged = a.provider !== b.provider;
        // A change of `protect` alone changes the stack's state, not the cloud.
        if (properties.length === 0 && !providerChanged && a.protect === b.protect) continue;
        const verdict = updateKind({
            type: b.type,
            custom: b.custom,
            changes: properties,
            providerChanged,
            providerConfigChanged: changedProviders.has(providerUrn(b.provider) ?? ""),
        });
        add(b, verdict.kind, properties, verdict.reasons);
    }
    // A resource deleted with a replaced one is replaced with it, changed inputs or not.
    const replaced = new Set(changes.filter((c) => c.op === "replace").map((c) => c.urn));
    for (let grew = true; grew; ) {
        grew = false;
        for (const resource of after.resources) {
            if (!resource.deletedWith || !replaced.has(resource.deletedWith) || replaced.has(resource.urn) || !old.has(resource.urn)) continue;
            let change = changes.find((c) => c.urn === resource.urn);
            if (!change) {
                add(resource, "replace");
                change = changes[changes.length - 1];
            }
            change.op = "replace";
            change.reasons.push(`deleted with ${resource.deletedWith}, which is replaced`);
            const flag = flagOf("replace", change.stateful, change.protect);
            if (flag) change.flag = flag;
            replaced.add(resource.urn);
            grew = true;
        }
    }
    for (const urn of step.delete) add(old.get(urn)!, "delete");
    for (const urn of step.retain) add(old.get(urn)!, "retain");
    for (const urn of step.blocked) add(old.get(urn)!, "blocked");

    return changes.sort((a, b) => Number(b.flag !== undefined) - Number(a.flag !== undefined) || order.get(a.urn)! - order.get(b.urn)!);
}

export interface ResourceCounts {
    added: number;
    removed: number;
    changed: number;
    replaced: number;
    mayReplace: number;
    flagged: number;
}

export function countChanges(changes: readonly ResourceChange[]): ResourceCounts {
    return {
        added: changes.filter((c) => c.op === "create").length,
        removed: changes.filter((c) => isRemoval(c.op)).length,
        changed: changes.filter((c) => isUpdate(c.op)).length,
        replaced: changes.filter((c) => c.op === "replace").length,
        mayReplace: changes.filter((c) => c.op === "may-replace").length,
        flagged: changes.filter((c) => c.flag !== undefined).length,
    };
}
