/**
 * The diff as a pull-request comment: a summary table of every stack first, the resources at
 * risk, then per stack the resource changes, the cost and the policy findings folded in
 * `<details>`.
 *
 * GitHub refuses a comment over 65,536 characters. The comment is kept under `maxChars` by
 * leaving out detail in this order, until it fits: unchanged findings; property paths beyond
 * three per resource; all property paths; then resource rows, halving each stack's share.
 * The summary and the resources at risk are never left out, and a note says what was.
 */
import { mandatory, nameOf, Violation } from "../report/report";
import { formatUsd } from "../model/cost/lines";
import { CostDiff } from "./cost";
import { diffTitle } from "./formatText";
import { beforeAfter, legend, opLabels, opMarkers, percentMove, phaseTransition, propertyLine, ratioOf, resourceTitle, signedUsd, usdOrNa } from "./present";
import { DiffReport, StackDiff } from "./report";
import { ResourceChange } from "./resources";

/** GitHub's limit on a comment's body. */
export const githubCommentLimit = 65_536;

export interface MarkdownOptions {
    /** Longest output; default leaves a kilobyte of GitHub's limit for a workflow's own lines. */
    maxChars?: number;
}

interface Detail {
    unchangedFindings: boolean;
    /** Property paths shown per resource (Infinity: all). */
    properties: number;
    /** Resource rows shown per stack (Infinity: all). */
    rows: number;
}

function cell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\n/g, " ").replace(/</g, "&lt;");
}

function code(text: string): string {
    return `\`${text.replace(/`/g, "'")}\``;
}

function summaryTable(report: DiffReport): string[] {
    const policies = report.policyPack !== null;
    const out = [
        `| Stack | Phase | + | ~ | +- / ~? | - | At risk | Monthly cost | vs phase 0 |${policies ? " Findings |" : ""}`,
        `|---|---|---:|---:|---:|---:|---:|---|---|${policies ? "---|" : ""}`,
    ];
    for (const s of report.stacks) {
        const c = s.counts;
        const cost = s.cost
            ? `${usdOrNa(s.cost.before?.monthlyUsd)} → ${usdOrNa(s.cost.after?.monthlyUsd)} (${signedUsd(s.cost.before && s.cost.after ? s.cost.after.monthlyUsd - s.cost.before.monthlyUsd : null)})`
            : "—";
        const ratio = s.cost ? beforeAfter(ratioOf(s.cost.before, "total"), ratioOf(s.cost.after, "total")) : "—";
        const hard = mandatory(s.policies?.new ?? []).length;
        const findings = s.policies ? `${hard > 0 ? `❌ ${hard} new mandatory` : `✅ ${s.policies.new.length} new`}, ${s.policies.fixed.length} fixed` : "";
        out.push(
            `| ${s.stack} | ${phaseTransition(s)} | ${c.added} | ${c.changed - c.replaced - c.mayReplace} | ${c.replaced} / ${c.mayReplace} | ${c.removed} | ${c.flagged > 0 ? `⚠️ ${c.flagged}` : "0"} | ${cost} | ${ratio} |${policies ? ` ${findings} |` : ""}`,
        );
    }
    return out;
}

function atRisk(report: DiffReport): string[] {
    const flagged = report.stacks.flatMap((s) => s.resources.filter((c) => c.flag).map((c) => ({ stack: s.stack, change: c })));
    if (flagged.length === 0) return [];
    return [
        "",
        "**⚠️ Stateful or protected resources at risk**",
        "",
        ...flagged.map(({ stack, change }) => `- \`${stack}\` ${code(resourceTitle(change).type)} ${code(resourceTitle(change).name)}: ${cell(change.flag!)}`),
    ];
}

function resourceRows(changes: readonly ResourceChange[], detail: Detail): { lines: string[]; hidden: number; hiddenProperties: number } {
    let hiddenProperties = 0;
    const shown = changes.slice(0, detail.rows);
    const lines = shown.map((c) => {
        const { type, name } = resourceTitle(c);
        const props = c.properties.slice(0, detail.properties).map((p) => code(propertyLine(p)));
        const more = c.properties.length - props.length;
        hiddenProperties += more;
        const notes = [...c.reasons.map(cell), ...props, ...(more > 0 ? [`… ${more} more path(s)`] : [])];
        return `| ${opMarkers[c.op]} | ${code(type)} | ${code(name)} | ${opLabels[c.op]} | ${notes.join("<br>")} |`;
    });
    return { lines: ["| | Type | Name | Change | Properties |", "|---|---|---|---|---|", ...lines], hidden: changes.length - shown.length, hiddenProperties };
}

function costTable(cost: CostDiff): string[] {
    const { before, after } = cost;
    const rows: [string, number | null | undefined, number | null | undefined][] = [
        ["Monthly total", before?.monthlyUsd, after?.monthlyUsd],
        ["GCP", before?.gcpMonthlyUsd, after?.gcpMonthlyUsd],
        ["Databricks", before?.databricksMonthlyUsd, after?.databricksMonthlyUsd],
        ["Per training run", before?.perTrainingUsd, after?.perTrainingUsd],
    ];
    const out = ["| | Before | After | Change | % |", "|---|---:|---:|---:|---:|"];
    for (const [label, a, b] of rows) out.push(`| ${label} | ${usdOrNa(a)} | ${usdOrNa(b)} | ${signedUsd(a !== null && a !== undefined && b !== null && b !== undefined ? b - a : null)} | ${percentMove(a, b)} |`);
    out.push(
        "",
        `Against the phase-0 baseline: total **${beforeAfter(ratioOf(before, "total"), ratioOf(after, "total"))}** (target ≤ ${(cost.targets.totalCostRatio * 100).toFixed(0)}%), ` +
            `per training **${beforeAfter(ratioOf(before, "perTraining"), ratioOf(after, "perTraining"))}** (target ≤ ${(cost.targets.perTrainingCostRatio * 100).toFixed(0)}%).`,
    );
    if (cost.resources.length > 0) {
        const value = (p: { monthlyUsd: number; priced: boolean } | null) => (p === null ? "—" : p.priced ? formatUsd(p.monthlyUsd) : "unpriced");
        out.push("", "| Resource | Before | After | Change |", "|---|---:|---:|---:|");
        for (const r of cost.resources) out.push(`| ${code(r.name)} | ${value(r.before)} | ${value(r.after)} | ${signedUsd(r.deltaUsd)} |`);
    }
    if (after && after.unpriced.length > 0) out.push("", `> ⚠️ Not priced, not in the totals: ${after.unpriced.map((u) => code(nameOf(u))).join(", ")}`);
    return out;
}

function findingRows(label: string, violations: readonly Violation[]): string[] {
    return violations.map((v) => `| ${label} | ${v.enforcementLevel} | ${code(v.policy)} | ${v.urn ? code(nameOf(v.urn)) : "(stack)"} | ${cell(v.message)} |`);
}

function details(summary: string, body: string[]): string[] {
    return ["", `<details><summary>${summary}</summary>`, "", ...body, "", "</details>"];
}

interface Rendered {
    text: string;
    hiddenRows: number;
    hiddenProperties: number;
    hiddenUnchanged: number;
}

function stackSections(stack: StackDiff, detail: Detail, acc: Rendered): string[] {
    const out: string[] = [];
    const c = stack.counts;
    if (stack.resources.length > 0) {
        const rows = resourceRows(stack.resources, detail);
        acc.hiddenRows += rows.hidden;
        acc.hiddenProperties += rows.hiddenProperties;
        const more = rows.hidden > 0 ? ["", `_… ${rows.hidden} more resource change(s) not shown._`] : [];
        out.push(...details(`<b>${stack.stack}</b>: resources +${c.added} ~${c.changed} -${c.removed}`, [...rows.lines, ...more]));
    }
    if (stack.cost) {
        const a = stack.cost.before?.monthlyUsd;
        const b = stack.cost.after?.monthlyUsd;
        out.push(...details(`<b>${stack.stack}</b>: cost ${usdOrNa(a)} → ${usdOrNa(b)} a month (${percentMove(a, b)})`, costTable(stack.cost)));
    }
    if (stack.policies) {
        const p = stack.policies;
        const unchanged = detail.unchangedFindings ? p.unchanged : [];
        acc.hiddenUnchanged += p.unchanged.length - unchanged.length;
        const rows = [...findingRows("new", p.new), ...findingRows("fixed", p.fixed), ...findingRows("unchanged", unchanged)];
        if (rows.length > 0) {
            const body = ["| | Level | Policy | Resource | Message |", "|---|---|---|---|---|", ...rows];
            out.push(...details(`<b>${stack.stack}</b>: findings ${p.new.length} new (${mandatory(p.new).length} mandatory), ${p.fixed.length} fixed, ${p.unchanged.length} unchanged`, body));
        }
    }
    return out;
}

function render(report: DiffReport, detail: Detail): Rendered {
    const acc: Rendered = { text: "", hiddenRows: 0, hiddenProperties: 0, hiddenUnchanged: 0 };
    const out = [`## What this change does: \`${report.project}\``, "", `Offline diff of the ${diffTitle(report)}.`, "", ...summaryTable(report), ...atRisk(report)];
    for (const stack of report.stacks) out.push(...stackSections(stack, detail, acc));
    const v = report.verdict;
    out.push(
        "",
        v.exitCode === 0
            ? "✅ No new mandatory violation, no stateful resource deleted."
            : `❌ ${v.newMandatory} new mandatory violation(s), ${v.statefulDeletions.length} stateful resource(s) deleted or replaced.`,
        "",
        `<sub>${legend}. Replacement is known for the resource types in the replacement table (docs/diff.md); elsewhere a change says "may replace".</sub>`,
    );
    acc.text = out.join("\n") + "\n";
    return acc;
}

function note(r: Rendered, maxChars: number): string {
    const parts = [
        r.hiddenRows > 0 ? `${r.hiddenRows} resource change(s)` : "",
        r.hiddenProperties > 0 ? `${r.hiddenProperties} property path(s)` : "",
        r.hiddenUnchanged > 0 ? `${r.hiddenUnchanged} unchanged finding(s)` : "",
    ].filter(Boolean);
    return `\n> ✂️ Trimmed to stay under ${maxChars.toLocaleString("en-US")} characters (GitHub's comment limit is ${githubCommentLimit.toLocaleString("en-US")}): ${parts.join(", ")} not shown. \`migration diff --format text\` or \`--format json\` has everything.\n`;
}

export function formatDiffMarkdown(report: DiffReport, options: MarkdownOptions = {}): string {
    const maxChars = options.maxChars ?? githubCommentLimit - 1024;
    const noteRoom = 400;
    const full = render(report, { unchangedFindings: true, properties: Infinity, rows: Infinity });
    if (full.text.length <= maxChars) return full.text;
    const largest = Math.max(1, ...report.stacks.map((s) => s.resources.length));
    const attempts: Detail[] = [
        { unchangedFindings: false, properties: Infinity, rows: Infinity },
        { unchangedFindings: false, properties: 3, rows: Infinity },
        { unchangedFindings: false, properties: 0, rows: Infinity },
    ];
    for (let rows = Math.floor(largest / 2); rows >= 1; rows = Math.floor(rows / 2)) attempts.push({ unchangedFindings: false, properties: 0, rows });
    attempts.push({ unchangedFindings: false, properties: 0, rows: 0 });
    for (const detail of attempts) {
        const r = render(report, detail);
        if (r.text.length + noteRoom <= maxChars) return r.text + note(r, maxChars);
    }
    // Even the summary is too long (hundreds of stacks): cut at a line and say so.
    const last = render(report, attempts[attempts.length - 1]);
    const cut = last.text.slice(0, maxChars - noteRoom);
    const kept = cut.slice(0, cut.lastIndexOf("\n") + 1);
    const open = (kept.match(/<details>/g) ?? []).length - (kept.match(/<\/details>/g) ?? []).length;
    return kept + "\n</details>\n".repeat(Math.max(0, open)) + note(last, maxChars);
}
