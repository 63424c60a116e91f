/**
 * Previews between two graphs of one stack, as `pulumi up` would carry them out: what is
 * created, updated, deleted, and what leaves the stack but stays in the cloud (retained).
 * A protected resource that would leave the stack is `blocked`: `pulumi up` refuses to
 * delete it, so a step that blocks fails rather than loses data.
 */
import { isDeepStrictEqual } from "node:util";
import { GraphResource, ResourceGraph, stackType } from "../model/graph";

export interface Preview {
    create: string[];
    update: string[];
    delete: string[];
    retain: string[];
    blocked: string[];
    /** Changed top-level input keys, per updated URN. */
    changes: Record<string, string[]>;
}

function index(graph: ResourceGraph): Map<string, GraphResource> {
    return new Map(graph.resources.filter((r) => r.type !== stackType && !r.external).map((r) => [r.urn, r]));
}

/** Top-level input keys whose values differ (provider references compared as given). */
export function changedKeys(before: GraphResource, after: GraphResource): string[] {
    const keys = new Set([...Object.keys(before.inputs), ...Object.keys(after.inputs)]);
    const changed = [...keys].filter((k) => !isDeepStrictEqual(before.inputs[k], after.inputs[k]));
    if (before.provider !== after.provider) changed.push("(provider)");
    if (before.protect !== after.protect) changed.push("(protect)");
    return changed.sort();
}

export function preview(from: ResourceGraph, to: ResourceGraph): Preview {
    const before = index(from);
    const after = index(to);
    const result: Preview = { create: [], update: [], delete: [], retain: [], blocked: [], changes: {} };
    for (const [urn, resource] of after) {
        const old = before.get(urn);
        if (!old) {
            result.create.push(urn);
            continue;
        }
        const changed = changedKeys(old, resource);
        if (changed.length > 0) {
            result.update.push(urn);
            result.changes[urn] = changed;
        }
    }
    for (const [urn, resource] of before) {
        if (after.has(urn)) continue;
        if (resource.protect) result.blocked.push(urn);
        else if (resource.retainOnDelete) result.retain.push(urn);
        else result.delete.push(urn);
    }
    return result;
}
