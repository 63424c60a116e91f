/**
 * The Mermaid diagrams of docs/architecture.md, drawn from the real resource graph of each
 * phase (as the offline engine records it) and from the plan's numbers in domain/targets.ts.
 *
 * The component graphs show ComponentResources, not every custom resource: each custom
 * resource is folded into the component that owns it, and its dependencies become edges
 * between owners. That keeps a phase readable while staying exactly what the program builds.
 */
import { phases } from "../../domain/targets";
import { GraphResource, isProviderType, ResourceGraph, stackType } from "../model/graph";

/** The date the seed's Phase 0 gantt starts on; the timeline keeps it so it reads like the seed. */
export const seedStartDate = "2024-03-20";

/** Weeks of a phase from its seed title: "(Week 3-4)" → 3..4; the pre-transition phase is the current week, 0. */
export function phaseWeeks(seedTitle: string): { first: number; last: number } {
    const match = /Week (\d+)(?:-(\d+))?/.exec(seedTitle);
    if (!match) return { first: 0, last: 0 };
    const first = Number(match[1]);
    return { first, last: match[2] ? Number(match[2]) : first };
}

function shortType(type: string): string {
    return type.split(":").pop()!;
}

function nodeId(r: GraphResource): string {
    return `${shortType(r.type)}_${r.name}`.replace(/[^A-Za-z0-9_]/g, "_");
}

function side(type: string): "GCP" | "Databricks" | "Other" {
    const [pkg, module] = type.split(":");
    if (pkg === "gcp" || (pkg === "migration" && module === "gcp")) return "GCP";
    if (pkg === "databricks" || (pkg === "migration" && module === "databricks")) return "Databricks";
    return "Other";
}

export interface ComponentNode {
    id: string;
    type: string;
    name: string;
    side: "GCP" | "Databricks" | "Other";
    /** Holds a protected (stateful) resource: kept by a rollback. */
    stateful: boolean;
    /** Number of provider resources it owns, directly or through child components. */
    resources: number;
    /** The component that contains it, when it is not the stack. */
    parent?: string;
}

export interface ComponentGraph {
    nodes: ComponentNode[];
    /** `from` is used by `to` (`to` depends on `from`). */
    edges: { from: string; to: string }[];
}

/**
 * Folds a resource graph into its components. A custom resource directly under the stack
 * (no component owns it) is a node of its own; providers and read-only lookups are left out.
 */
export function componentGraph(graph: ResourceGraph): ComponentGraph {
    const byUrn = new Map(graph.resources.map((r) => [r.urn, r]));
    const shown = (r: GraphResource) => r.type !== stackType && !isProviderType(r.type) && !r.external;
    const owner = (r: GraphResource): GraphResource | undefined => {
        if (!shown(r)) return undefined;
        let current: GraphResource = r;
        for (;;) {
            if (!current.custom) return current;
            const parent = current.parent ? byUrn.get(current.parent) : undefined;
            if (!parent || parent.type === stackType) return current;
            current = parent;
        }
    };
    const direct = (r: GraphResource) => [...r.dependencies, ...Object.values(r.propertyDependencies).flat()];
    // A provider is not drawn, but what it is configured from (the workspace URL) is a real
    // dependency of every resource it manages: look through providers to their own inputs.
    const dependenciesOf = (r: GraphResource): Set<string> => {
        const out = new Set<string>();
        const viaProvider = r.provider ? [r.provider.split("::").slice(0, -1).join("::")] : [];
        for (const urn of [...direct(r), ...viaProvider]) {
            const dep = byUrn.get(urn);
            if (dep && isProviderType(dep.type)) direct(dep).forEach((u) => out.add(u));
            else out.add(urn);
        }
        return out;
    };
    const nodes = new Map<string, ComponentNode>();
    const nodeOf = (r: GraphResource): ComponentNode => {
        const id = nodeId(r);
        let node = nodes.get(id);
        if (!node) {
            const parent = r.parent ? byUrn.get(r.parent) : undefined;
            node = {
                id,
                type: r.type,
                name: r.name,
                side: side(r.type),
                stateful: false,
                resources: 0,
                ...(parent && !parent.custom && parent.type !== stackType ? { parent: nodeId(parent) } : {}),
            };
            nodes.set(id, node);
        }
        return node;
    };
    const edges = new Map<string, { from: string; to: string }>();
    for (const r of graph.resources) {
        const own = owner(r);
        if (!own) continue;
        const node = nodeOf(own);
        if (r.custom) {
            node.resources += 1;
            if (r.protect) node.stateful = true;
            // A nested component's resources count for its ancestors' statefulness too.
            let up = node.parent ? nodes.get(node.parent) : undefined;
            while (up) {
                if (r.protect) up.stateful = true;
                up = up.parent ? nodes.get(up.parent) : undefined;
            }
        }
        for (const urn of dependenciesOf(r)) {
            const dep = byUrn.get(urn);
            const depOwner = dep && owner(dep);
            if (!depOwner) continue;
            const from = nodeOf(depOwner).id;
            if (from === node.id) continue;
            edges.set(`${from}->${node.id}`, { from, to: node.id });
        }
    }
    // Components registered without resources of their own still belong in the picture.
    for (const r of graph.resources) if (!r.custom && shown(r)) nodeOf(r);
    const sortedNodes = [...nodes.values()].sort((a, b) => a.id.localeCompare(b.id));
    const sortedEdges = transitiveReduction([...edges.values()]).sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
    return { nodes: sortedNodes, edges: sortedEdges };
}

/**
 * Drops an edge a → c when another path a → … → c exists: reachability, and so every
 * dependency, is kept while the workspace no longer points at each Databricks component.
 */
export function transitiveReduction(edges: { from: string; to: string }[]): { from: string; to: string }[] {
    const next = new Map<string, string[]>();
    for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
    const reachableAvoiding = (from: string, to: string): boolean => {
        const stack = (next.get(from) ?? []).filter((n) => n !== to);
        const seen = new Set(stack);
        while (stack.length > 0) {
            const n = stack.pop()!;
            if (n === to) return true;
            for (const m of next.get(n) ?? []) if (!seen.has(m)) (seen.add(m), stack.push(m));
        }
        return false;
    };
    return edges.filter((e) => !reachableAvoiding(e.from, e.to));
}

/** One phase's component graph as a Mermaid flowchart; components new in this phase are highlighted. */
export function componentDiagram(graph: ComponentGraph, previous?: ComponentGraph): string {
    const before = new Set(previous?.nodes.map((n) => n.id) ?? []);
    const lines = ["flowchart LR"];
    for (const group of ["GCP", "Databricks", "Other"] as const) {
        const members = graph.nodes.filter((n) => n.side === group);
        if (members.length === 0) continue;
        lines.push(`    subgraph ${group}`);
        for (const n of members) {
            const label = `"${shortType(n.type)}<br/>${n.name}<br/>${n.resources} resource${n.resources === 1 ? "" : "s"}"`;
            lines.push(`        ${n.id}${n.stateful ? `[(${label})]` : `[${label}]`}`);
        }
        lines.push("    end");
    }
    for (const n of graph.nodes) if (n.parent) lines.push(`    ${n.parent} -.-o|contains| ${n.id}`);
    for (const e of graph.edges) lines.push(`    ${e.from} --> ${e.to}`);
    if (previous) {
        const added = graph.nodes.filter((n) => !before.has(n.id)).map((n) => n.id);
        lines.push("    classDef added fill:#d4f7d4,stroke:#2e7d32,stroke-width:2px");
        if (added.length > 0) lines.push(`    class ${added.join(",")} added`);
    }
    return lines.join("\n");
}

/** The phase timeline, as the seed's gantt: one section per phase, a bar per kind of component it adds. */
export function phaseTimeline(graphs: ReadonlyMap<number, ComponentGraph>): string {
    const lines = ["gantt", "    title Transition timeline (migration:phase 0 → 3)", "    dateFormat YYYY-MM-DD", "    axisFormat %d %b"];
    const start = new Date(`${seedStartDate}T00:00:00Z`);
    let seen = new Set<string>();
    for (const p of phases) {
        const graph = graphs.get(p.phase);
        if (!graph) continue;
        const { first, last } = phaseWeeks(p.seed);
        const begin = new Date(start.getTime() + first * 7 * 86_400_000).toISOString().slice(0, 10);
        const days = (last - first + 1) * 7;
        lines.push(`    section Phase ${p.phase} ${p.name}`);
        const added = graph.nodes.filter((n) => !seen.has(n.id));
        const kinds = new Map<string, number>();
        for (const n of added) kinds.set(shortType(n.type), (kinds.get(shortType(n.type)) ?? 0) + 1);
        [...kinds.entries()].forEach(([kind, count], i) => {
            const label = count > 1 ? `${kind} ×${count}` : kind;
            lines.push(`    ${label} :${p.phase === 0 ? "active, " : ""}p${p.phase}k${i}, ${begin}, ${days}d`);
        });
        if (p.phase > 0) {
            const end = new Date(start.getTime() + (last + 1) * 7 * 86_400_000).toISOString().slice(0, 10);
            const label = p.phase === phases.length - 1 ? "Stable state (every success metric met)" : `Gate out of phase ${p.phase} (success metrics)`;
            lines.push(`    ${label} :milestone, gate${p.phase}, ${end}, 0d`);
        }
        seen = new Set(graph.nodes.map((n) => n.id));
    }
    return lines.join("\n");
}

/** The seed's critical path, A → E, with the dashed fallbacks to the GCP setup. */
export function criticalPath(): string {
    const letters = ["A", "B", "C", "D"];
    const via = ["Performance baseline", "Initial testing", "Validation", "Optimization"];
    const lines = ["graph TD"];
    for (const p of phases) lines.push(`    ${letters[p.phase]}["Phase ${p.phase}: ${p.name}"]`);
    lines.push(`    E["Stable state: phase ${phases[phases.length - 1].phase}, every success metric met"]`);
    for (const p of phases) {
        const next = p.phase + 1 < phases.length ? letters[p.phase + 1] : "E";
        lines.push(`    ${letters[p.phase]} -->|${via[p.phase]}| ${next}`);
    }
    for (const p of phases.slice(1)) lines.push(`    ${letters[p.phase]} -.->|Fallback| A`);
    return lines.join("\n");
}

export function mermaid(diagram: string): string {
    return "```mermaid\n" + diagram + "\n```";
}

/** A short table of what each phase adds, from the graphs. */
export function phaseSummary(graphs: ReadonlyMap<number, ComponentGraph>, resourceCounts: ReadonlyMap<number, number>): string {
    const rows = ["| phase | components | resources registered | added components |", "|---|---|---|---|"];
    let seen = new Set<string>();
    for (const p of phases) {
        const graph = graphs.get(p.phase);
        if (!graph) continue;
        const added = graph.nodes.filter((n) => !seen.has(n.id)).map((n) => `\`${shortType(n.type)}\` ${n.name}`);
        rows.push(`| ${p.phase} ${p.name} | ${graph.nodes.length} | ${resourceCounts.get(p.phase)} | ${added.join(", ")} |`);
        seen = new Set(graph.nodes.map((n) => n.id));
    }
    return rows.join("\n");
}
