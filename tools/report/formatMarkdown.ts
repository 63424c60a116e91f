/**
 * Markdown output: a pull-request comment. A summary table per phase, then collapsible
 * details with the promote and rollback previews and every policy violation.
 */
import { formatUsd } from "../model/cost/lines";
import { formatCostDiffMarkdown } from "../cost/report";
import { noPolicyRan, RenderOptions } from "./formatText";
import { displayType, mandatory, nameOf, PhaseReport, PlanContext, resourceCount } from "./report";

function escape(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function phaseLabel(phase: PhaseReport): string {
    return phase.phase === null ? "as configured" : `${phase.phase}${phase.name ? ` ${phase.name}` : ""}`;
}

function typeOf(context: PlanContext, urn: string): string {
    for (const graph of context.graphs.values()) {
        const found = graph.resources.find((r) => r.urn === urn);
        if (found) return displayType(found.type);
    }
    return "";
}

function table(context: PlanContext, rows: { op: string; urn: string; detail?: string }[]): string[] {
    if (rows.length === 0) return ["_No changes._", ""];
    return [
        "| | Type | Name | Detail |",
        "|---|---|---|---|",
        ...rows.map((r) => `| ${r.op} | \`${typeOf(context, r.urn)}\` | \`${escape(nameOf(r.urn))}\` | ${escape(r.detail ?? "")} |`),
        "",
    ];
}

export function formatMarkdown(context: PlanContext, options: RenderOptions = {}): string {
    const { report } = context;
    const out: string[] = [`## Migration plan: \`${report.project}\` / \`${report.stack}\``, ""];
    const policyColumn = report.policyPack !== null;
    const costColumn = context.cost !== undefined;
    out.push(`| Phase | Resources | Promote (+ ~ -) | Rollback (- = !) |${costColumn ? " Monthly cost (vs phase 0) |" : ""}${policyColumn ? " Policies |" : ""}`);
    out.push(`|---|---|---|---|${costColumn ? "---|" : ""}${policyColumn ? "---|" : ""}`);
    for (const phase of report.phases) {
        const promote = phase.promote ? `+${phase.promote.create.length} ~${phase.promote.update.length} -${phase.promote.delete.length}` : "new stack";
        const rollback = phase.rollback
            ? `-${phase.rollback.delete.length} =${phase.rollback.retain.length} !${phase.rollback.blocked.length}`
            : "—";
        const hard = mandatory(phase.violations).length;
        const policies = hard > 0 ? `❌ ${hard} mandatory` : `✅ ${phase.violations.length} advisory`;
        const cost = phase.cost
            ? `${formatUsd(phase.cost.monthlyUsd)} (${phase.cost.baselineRatio === null ? "baseline" : `${(phase.cost.baselineRatio * 100).toFixed(0)}%`})`
            : "—";
        out.push(
            `| ${phaseLabel(phase)} | ${resourceCount(context, phase.phase)} | ${promote} | ${rollback} |${costColumn ? ` ${cost} |` : ""}${policyColumn ? ` ${policies} |` : ""}`,
        );
    }
    out.push("", "Legend: + create, ~ update, - delete, = leaves the stack but is kept in the cloud, ! blocked (protected).", "");
    if (!policyColumn && options.policiesOnly) out.push(`_${noPolicyRan}_`, "");

    if (context.cost && !options.policiesOnly) {
        for (const phase of report.phases) {
            const estimate = context.cost.phases.get(phase.phase);
            if (!estimate || phase.phase === 0) continue;
            out.push(
                `<details><summary>Phase ${phaseLabel(phase)}: cost ${formatUsd(estimate.monthlyUsd)}/month against the phase-0 baseline</summary>`,
                "",
                formatCostDiffMarkdown(context.cost.baseline, estimate, `Cost of phase ${phase.phase} against phase 0`),
                "</details>",
                "",
            );
        }
    }

    for (const phase of report.phases) {
        if (phase.promote && !options.policiesOnly) {
            const p = phase.promote;
            out.push(`<details><summary>Phase ${phase.phase}: promote ${p.from} → ${phase.phase} (+${p.create.length} ~${p.update.length} -${p.delete.length})</summary>`, "");
            out.push(
                ...table(context, [
                    ...p.create.map((urn) => ({ op: "+", urn })),
                    ...p.update.map((urn) => ({ op: "~", urn, detail: phase.changes.promote[urn]?.join(", ") })),
                    ...p.delete.map((urn) => ({ op: "-", urn })),
                ]),
                "</details>",
                "",
            );
        }
        if (phase.rollback && !options.policiesOnly) {
            const r = phase.rollback;
            out.push(`<details><summary>Phase ${phase.phase}: rollback ${phase.phase} → ${r.to} (-${r.delete.length} =${r.retain.length} !${r.blocked.length})</summary>`, "");
            out.push(
                ...table(context, [
                    ...r.delete.map((urn) => ({ op: "-", urn })),
                    ...r.update.map((urn) => ({ op: "~", urn, detail: phase.changes.rollback[urn]?.join(", ") })),
                    ...r.retain.map((urn) => ({ op: "=", urn, detail: "kept in the cloud" })),
                    ...r.blocked.map((urn) => ({ op: "!", urn, detail: "protected: `pulumi up` would refuse" })),
                ]),
                "</details>",
                "",
            );
        }
        if (phase.violations.length > 0) {
            out.push(`<details><summary>Phase ${phaseLabel(phase)}: ${phase.violations.length} policy violation(s)</summary>`, "");
            out.push("| Level | Policy | Resource | Message |", "|---|---|---|---|");
            for (const v of phase.violations) {
                out.push(`| ${v.enforcementLevel} | \`${v.policy}\` | ${v.urn ? `\`${escape(nameOf(v.urn))}\`` : "(stack)"} | ${escape(v.message)} |`);
            }
            out.push("", "</details>", "");
        }
    }
    return out.join("\n");
}
