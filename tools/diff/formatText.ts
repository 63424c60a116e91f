/**
 * The diff as text: per stack, the resources at risk first, then every change with its
 * property paths old → new, the cost before and after, and the policy findings.
 */
import { mandatory, nameOf, Violation } from "../report/report";
import { CostDiff } from "./cost";
import { beforeAfter, counts, legend, opLabels, opMarkers, percentMove, phaseTransition, propertyLine, ratioOf, resourceTitle, signedUsd, usdOrNa } from "./present";
import { DiffReport, StackDiff } from "./report";

export function diffTitle(report: DiffReport): string {
    const head = report.head.commit ? `${report.head.commit.slice(0, 12)}${report.head.dirty ? " with uncommitted changes" : ""}` : "no commit yet";
    return `working tree (${head}) against ${report.base.ref} (${report.base.commit.slice(0, 12)})`;
}

function pad(rows: string[][]): string[] {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ").trimEnd());
}

function costLines(cost: CostDiff): string[] {
    const { before, after } = cost;
    const out = [
        `Cost: ${usdOrNa(before?.monthlyUsd)} → ${usdOrNa(after?.monthlyUsd)} a month (${signedUsd(before && after ? after.monthlyUsd - before.monthlyUsd : null)}, ${percentMove(before?.monthlyUsd, after?.monthlyUsd)})`,
        `      per training run ${usdOrNa(before?.perTrainingUsd)} → ${usdOrNa(after?.perTrainingUsd)} (${percentMove(before?.perTrainingUsd, after?.perTrainingUsd)})`,
        `      against the phase-0 baseline: total ${beforeAfter(ratioOf(before, "total"), ratioOf(after, "total"))} (target ≤ ${(cost.targets.totalCostRatio * 100).toFixed(0)}%), ` +
            `per training ${beforeAfter(ratioOf(before, "perTraining"), ratioOf(after, "perTraining"))} (target ≤ ${(cost.targets.perTrainingCostRatio * 100).toFixed(0)}%)`,
    ];
    if (cost.resources.length > 0) {
        const value = (p: { monthlyUsd: number; priced: boolean } | null) => (p === null ? "—" : p.priced ? usdOrNa(p.monthlyUsd) : "unpriced");
        const rows = [["resource", "before", "after", "change"], ...cost.resources.map((r) => [r.name, value(r.before), value(r.after), signedUsd(r.deltaUsd)])];
        out.push(...pad(rows).map((line) => `      ${line}`));
    }
    if (after && after.unpriced.length > 0) out.push(`      ⚠ unpriced, not in the totals: ${after.unpriced.map(nameOf).join(", ")}`);
    return out;
}

function findingLines(label: string, violations: readonly Violation[]): string[] {
    return violations.flatMap((v) => [
        `    ${label.padEnd(9)} ${v.enforcementLevel.padEnd(9)} ${v.policy}  ${v.urn ? nameOf(v.urn) : "(stack)"}`,
        ...v.message.split("\n").map((line) => `              ${line}`),
    ]);
}

function stackLines(stack: StackDiff, policyPack: string | null): string[] {
    const out = [`Stack ${stack.stack} · phase ${phaseTransition(stack)} · ${counts(stack)}`, ""];
    const flagged = stack.resources.filter((c) => c.flag);
    if (flagged.length > 0) {
        out.push("At risk:");
        for (const c of flagged) out.push(`  ! ${resourceTitle(c).type} ${resourceTitle(c).name}: ${c.flag}`);
        out.push("");
    }
    if (stack.resources.length === 0) out.push("  no resource changes");
    for (const c of stack.resources) {
        const { type, name } = resourceTitle(c);
        out.push(` ${opMarkers[c.op].padEnd(2)} ${type}  ${name}  ${opLabels[c.op]}`);
        for (const reason of c.reasons) out.push(`        (${reason})`);
        for (const p of c.properties) out.push(`        ${propertyLine(p)}`);
    }
    out.push("");
    if (stack.cost) out.push(...costLines(stack.cost), "");
    if (stack.policies) {
        const p = stack.policies;
        out.push(`Policies (${policyPack}): ${p.new.length} new (${mandatory(p.new).length} mandatory), ${p.fixed.length} fixed, ${p.unchanged.length} unchanged`);
        out.push(...findingLines("new", p.new), ...findingLines("fixed", p.fixed), ...findingLines("unchanged", p.unchanged), "");
    }
    return out;
}

export function formatDiffText(report: DiffReport): string {
    const out = [`Diff of ${report.project}: ${diffTitle(report)}`, `Legend: ${legend}`, ""];
    for (const stack of report.stacks) out.push(...stackLines(stack, report.policyPack));
    const v = report.verdict;
    out.push(
        v.exitCode === 0
            ? "Verdict: no new mandatory violation, no stateful resource deleted"
            : `Verdict: FAILED · ${v.newMandatory} new mandatory violation(s), ${v.statefulDeletions.length} stateful resource(s) deleted or replaced`,
    );
    return out.join("\n") + "\n";
}
