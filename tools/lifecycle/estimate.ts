/**
 * Estimated wall time of one `up`: the longest dependency chain among the resources it
 * touches, each weighted by a typical duration for its type. Pulumi runs independent
 * resources in parallel, so the chain, not the count, sets the time. Deletions run after the
 * creations and updates, along the reversed dependencies of the graph they leave.
 *
 * The durations are typical provider times (creation; an update or a deletion is counted at
 * the same duration, which makes the estimate an upper bound).
 */
import { GraphResource, ResourceGraph, stackType } from "../model/graph";
import { Preview } from "../engine/diff";

/** Typical seconds per resource type; anything else managed takes `defaultSeconds`. */
export const typeDurationsSeconds: Readonly<Record<string, number>> = {
    "gcp:container/cluster:Cluster": 600,
    "gcp:container/nodePool:NodePool": 300,
    "databricks:index/mwsWorkspaces:MwsWorkspaces": 480,
    "databricks:index/cluster:Cluster": 300,
    "databricks:index/sqlEndpoint:SqlEndpoint": 120,
    "gcp:compute/router:Router": 60,
    "gcp:compute/routerNat:RouterNat": 60,
};
export const defaultSeconds = 30;

export function durationOf(resource: GraphResource): number {
    // Components and providers take no time of their own.
    if (!resource.custom || resource.type.startsWith("pulumi:providers:") || resource.type === stackType || resource.external) return 0;
    return typeDurationsSeconds[resource.type] ?? defaultSeconds;
}

/** What must exist before a resource is created: its dependencies, its properties' sources, its provider. */
export function dependenciesOf(resource: GraphResource): string[] {
    const deps = new Set(resource.dependencies);
    for (const list of Object.values(resource.propertyDependencies)) for (const d of list) deps.add(d);
    if (resource.provider) deps.add(resource.provider.split("::").slice(0, -1).join("::"));
    return [...deps];
}

export interface Chain {
    seconds: number;
    /** The URNs on the longest chain, first to last. */
    urns: string[];
}

/**
 * Longest weighted chain through `graph` counting only resources in `touched`. A dependency on
 * a component waits for all of its children, as `dependsOn` on a component does.
 */
export function longestChain(graph: ResourceGraph, touched: ReadonlySet<string>, direction: "forward" | "reverse"): Chain {
    const byUrn = new Map(graph.resources.map((r) => [r.urn, r]));
    const children = new Map<string, string[]>();
    for (const r of graph.resources) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
    // Edges "a waits for b"; reversed for deletions (a dependency is deleted after its dependents).
    const waitsFor = new Map<string, Set<string>>();
    const add = (a: string, b: string) => {
        if (a === b) return;
        if (!waitsFor.has(a)) waitsFor.set(a, new Set());
        waitsFor.get(a)!.add(b);
    };
    for (const r of graph.resources) {
        for (const dep of dependenciesOf(r)) {
            const target = byUrn.get(dep);
            if (!target) continue;
            const expanded = target.custom ? [dep] : descendants(dep, children);
            for (const d of expanded) direction === "forward" ? add(r.urn, d) : add(d, r.urn);
        }
    }
    const memo = new Map<string, Chain>();
    const visiting = new Set<string>();
    const finish = (urn: string): Chain => {
        const known = memo.get(urn);
        if (known) return known;
        if (visiting.has(urn)) return { seconds: 0, urns: [] };
        visiting.add(urn);
        let best: Chain = { seconds: 0, urns: [] };
        for (const dep of waitsFor.get(urn) ?? []) {
            const chain = finish(dep);
            if (chain.seconds > best.seconds) best = chain;
        }
        visiting.delete(urn);
        const own = touched.has(urn) ? durationOf(byUrn.get(urn)!) : 0;
        const result = own > 0 ? { seconds: best.seconds + own, urns: [...best.urns, urn] } : best;
        memo.set(urn, result);
        return result;
    };
    let longest: Chain = { seconds: 0, urns: [] };
    for (const urn of byUrn.keys()) {
        const chain = finish(urn);
        if (chain.seconds > longest.seconds) longest = chain;
    }
    return longest;
}

function descendants(urn: string, children: Map<string, string[]>): string[] {
    const out: string[] = [];
    for (const child of children.get(urn) ?? []) out.push(child, ...descendants(child, children));
    return out;
}

export interface StepEstimate {
    seconds: number;
    /** Creations and updates, then deletions. */
    chain: string[];
}

export function estimateStep(from: ResourceGraph, to: ResourceGraph, step: Preview): StepEstimate {
    const forward = longestChain(to, new Set([...step.create, ...step.update]), "forward");
    const reverse = longestChain(from, new Set(step.delete), "reverse");
    return { seconds: forward.seconds + reverse.seconds, chain: [...forward.urns, ...reverse.urns] };
}

/**
 * An order in which `up` can create `urns` of `graph`: each resource after its parent and
 * after everything it depends on (the engine starts a resource only once those exist). Ties
 * keep the graph's registration order, so the order is deterministic.
 */
export function creationOrder(graph: ResourceGraph, urns: readonly string[]): string[] {
    const wanted = new Set(urns);
    const byUrn = new Map(graph.resources.map((r) => [r.urn, r]));
    const done = new Set<string>();
    const order: string[] = [];
    const visit = (urn: string, path: Set<string>) => {
        if (done.has(urn) || !wanted.has(urn)) return;
        if (path.has(urn)) throw new Error(`creationOrder: dependency cycle through ${urn}`);
        path.add(urn);
        const resource = byUrn.get(urn)!;
        for (const dep of [...(resource.parent ? [resource.parent] : []), ...dependenciesOf(resource)]) visit(dep, path);
        path.delete(urn);
        done.add(urn);
        order.push(urn);
    };
    for (const r of graph.resources) visit(r.urn, new Set());
    return order;
}
