/**
 * Text output, laid out like `pulumi preview`: a tree of resources by parent with + / ~ / -
 * markers (and = for resources that leave the stack but stay in the cloud), then a summary.
 */
import { wrap } from "./wrap";
import { CostEstimate } from "../model/cost/estimate";
import { targetAdvice, targetsEnforced } from "../cost/report";
import { formatUsd } from "../model/cost/lines";
import { GraphResource, ResourceGraph } from "../model/graph";
import { displayType, mandatory, nameOf, PhaseReport, PlanContext, resourceCount, Violation } from "./report";

type Op = "read" | "create" | "update" | "delete" | "retain" | "blocked";
const markers: Record<Op, string> = { read: ">", create: "+", update: "~", delete: "-", retain: "=", blocked: "!" };
const labels: Record<Op, string> = {
    read: "read",
    create: "create",
    update: "update",
    delete: "delete",
    retain: "retain (kept in the cloud)",
    blocked: "blocked: protected",
};

interface Row {
    urn: string;
    op?: Op;
    detail?: string;
}

/** Changed resources as a tree, with their unchanged ancestors for context. */
export function renderTree(rows: readonly Row[], graphs: readonly ResourceGraph[]): string[] {
    const resources = new Map<string, GraphResource>();
    const order = new Map<string, number>();
    for (const graph of graphs) {
        for (const r of graph.resources) {
            if (!resources.has(r.urn)) {
                resources.set(r.urn, r);
                order.set(r.urn, order.size);
            }
        }
    }
    const byUrn = new Map(rows.map((r) => [r.urn, r]));
    const shown = new Set<string>();
    for (const row of rows) {
        for (let urn: string | undefined = row.urn; urn && !shown.has(urn); urn = resources.get(urn)?.parent) shown.add(urn);
    }
    const children = new Map<string | undefined, string[]>();
    for (const urn of shown) {
        const parent = resources.get(urn)?.parent;
        const key = parent && shown.has(parent) ? parent : undefined;
        children.set(key, [...(children.get(key) ?? []), urn]);
    }
    for (const list of children.values()) list.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));

    const lines: { marker: string; type: string; name: string; plan: string }[] = [];
    const walk = (urn: string, prefix: string, last: boolean, depth: number) => {
        const row = byUrn.get(urn);
        const resource = resources.get(urn);
        const branch = depth === 0 ? "" : `${prefix}${last ? "└─ " : "├─ "}`;
        lines.push({
            marker: row?.op ? markers[row.op] : " ",
            type: branch + displayType(resource?.type ?? "?"),
            name: nameOf(urn),
            plan: row?.op ? labels[row.op] + (row.detail ? ` [${row.detail}]` : "") : "",
        });
        const kids = children.get(urn) ?? [];
        const nextPrefix = depth === 0 ? "" : prefix + (last ? "   " : "│  ");
        kids.forEach((kid, i) => walk(kid, nextPrefix, i === kids.length - 1, depth + 1));
    };
    const roots = children.get(undefined) ?? [];
    roots.forEach((urn, i) => walk(urn, "", i === roots.length - 1, 0));

    const typeWidth = Math.max(4, ...lines.map((l) => l.type.length));
    const nameWidth = Math.max(4, ...lines.map((l) => l.name.length));
    const header = `     ${"Type".padEnd(typeWidth)}  ${"Name".padEnd(nameWidth)}  Plan`;
    return [header, ...lines.map((l) => ` ${l.marker}   ${l.type.padEnd(typeWidth)}  ${l.name.padEnd(nameWidth)}  ${l.plan}`.trimEnd())];
}

function count(n: number, what: string): string {
    return `${n} ${what}`;
}

const messageIndent = "              ";

function violationLines(violations: readonly Violation[], width: number): string[] {
    const room = Math.max(20, width - messageIndent.length);
    return violations.flatMap((v) => [
        `    ${v.enforcementLevel.padEnd(9)} ${v.policy}${v.urn ? `  ${nameOf(v.urn)}` : "  (stack)"}`,
        ...v.message.split("\n").flatMap((line) => {
            // A message's own indentation (a list under a heading) is kept on every wrapped line.
            const lead = /^\s*/.exec(line)![0];
            return wrap(line.trim(), room - lead.length).split("\n").map((part) => `${messageIndent}${lead}${part}`);
        }),
    ]);
}

function phaseTitle(phase: PhaseReport, stack: string, resources: number): string {
    const which = phase.phase === null ? "Stack as configured" : `Phase ${phase.phase}${phase.name ? ` · ${phase.name}` : ""}`;
    return `${which} · stack ${stack} · ${resources} resources`;
}

/** A ratio against its target: a target (met or MISSED) where the phase enforces it, advice before. */
function ratio(value: number | null, target: number, estimate: CostEstimate, phase: number | null): string {
    if (value === null) return "n/a";
    const pct = (n: number) => `${(n * 100).toFixed(0)}%`;
    if (!targetsEnforced(estimate.targets, phase)) return `${pct(value)} of baseline (${targetAdvice(pct(target), estimate.targets)})`;
    return `${pct(value)} of baseline (target ≤ ${pct(target)}${value <= target ? "" : ", MISSED"})`;
}

function costLines(estimate: CostEstimate, phase: number | null): string[] {
    if (estimate.baselineRatio === null && estimate.perTrainingRatio === null) {
        return [
            `Cost: ${formatUsd(estimate.monthlyUsd)}/month (GCP ${formatUsd(estimate.gcpMonthlyUsd)}, Databricks ${formatUsd(estimate.databricksMonthlyUsd)}) · the baseline later phases are measured against`,
            `      per training ${estimate.perTrainingUsd === null ? "n/a" : formatUsd(estimate.perTrainingUsd)} (${estimate.perTrainingBasis})`,
        ];
    }
    const lines = [
        `Cost: ${formatUsd(estimate.monthlyUsd)}/month (GCP ${formatUsd(estimate.gcpMonthlyUsd)}, Databricks ${formatUsd(estimate.databricksMonthlyUsd)}) · ${ratio(estimate.baselineRatio, estimate.targets.totalCostRatio, estimate, phase)}`,
        `      per training ${estimate.perTrainingUsd === null ? "n/a" : formatUsd(estimate.perTrainingUsd)} · ${ratio(estimate.perTrainingRatio, estimate.targets.perTrainingCostRatio, estimate, phase)}`,
        `      per training rests on ${estimate.perTrainingBasis}`,
    ];
    if (estimate.unpriced.length > 0) lines.push(`      ⚠ unpriced, not in the totals: ${estimate.unpriced.map(nameOf).join(", ")}`);
    return lines;
}

/** What `check --policy-pack none` says instead of a verdict. */
export const noPolicyRan = "Policies: none ran (--policy-pack none): the program was evaluated, nothing was checked";

export interface RenderOptions {
    /** `migration check`: the verdicts only, without the previews. */
    policiesOnly?: boolean;
    /** Columns to wrap findings to (default 80). */
    width?: number;
}

export function formatText(context: PlanContext, options: RenderOptions = {}): string {
    const { report, graphs } = context;
    const out: string[] = [];
    for (const phase of report.phases) {
        const graph = graphs.get(phase.phase)!;
        out.push(phaseTitle(phase, report.stack, resourceCount(context, phase.phase)), "");
        if (options.policiesOnly) {
            // Verdicts only.
        } else if (phase.promote) {
            const p = phase.promote;
            const previous = graphs.get(p.from);
            out.push(`Promote ${p.from} → ${phase.phase}`);
            const rows: Row[] = [
                ...p.create.map((urn) => ({ urn, op: "create" as const })),
                ...p.update.map((urn) => ({ urn, op: "update" as const, detail: phase.changes.promote[urn]?.join(", ") })),
                ...p.delete.map((urn) => ({ urn, op: "delete" as const })),
                ...p.retain.map((urn) => ({ urn, op: "retain" as const })),
                ...p.blocked.map((urn) => ({ urn, op: "blocked" as const })),
            ];
            out.push(...(rows.length ? renderTree(rows, [graph, ...(previous ? [previous] : [])]) : ["    no changes"]));
            out.push(
                `Resources: + ${count(p.create.length, "to create")}, ~ ${count(p.update.length, "to update")}, - ${count(p.delete.length, "to delete")}`,
                "",
            );
        } else {
            out.push("Deploy on a new stack");
            const managed = graph.resources.filter((r) => !r.external);
            out.push(...renderTree(graph.resources.map((r) => ({ urn: r.urn, op: r.external ? ("read" as const) : ("create" as const) })), [graph]));
            out.push(`Resources: + ${count(managed.length, "to create")}`, "");
        }
        if (phase.rollback && !options.policiesOnly) {
            const r = phase.rollback;
            out.push(`Rollback ${phase.phase} → ${r.to}`);
            const rows: Row[] = [
                ...r.delete.map((urn) => ({ urn, op: "delete" as const })),
                ...r.update.map((urn) => ({ urn, op: "update" as const, detail: phase.changes.rollback[urn]?.join(", ") })),
                ...r.retain.map((urn) => ({ urn, op: "retain" as const })),
                ...r.blocked.map((urn) => ({ urn, op: "blocked" as const })),
            ];
            out.push(...(rows.length ? renderTree(rows, [graph]) : ["    no changes"]));
            out.push(
                `Resources: - ${count(r.delete.length, "to delete")}, ~ ${count(r.update.length, "to update")}, = ${count(r.retain.length, "retained")}, ! ${count(r.blocked.length, "blocked")}`,
                "",
            );
        }
        const estimate = context.cost?.phases.get(phase.phase);
        if (estimate && !options.policiesOnly) out.push(...costLines(estimate, phase.phase), "");
        if (!report.policyPack && options.policiesOnly) {
            out.push(noPolicyRan, "");
        } else if (report.policyPack) {
            const hard = mandatory(phase.violations).length;
            const soft = phase.violations.length - hard;
            out.push(`Policies (${report.policyPack}): ${hard === 0 ? "passed" : "FAILED"} · ${count(hard, "mandatory")}, ${count(soft, "advisory")}`);
            out.push(...violationLines(phase.violations, options.width ?? 80), "");
        }
    }
    return out.join("\n").trimEnd() + "\n";
}
