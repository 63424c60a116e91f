/**
 * Cost estimates as text: the breakdown `migration cost --stack S [--phase N]` prints, and
 * the markdown cost-diff table a pull-request comment carries (baseline, new, change, %).
 * Pure functions of the estimates.
 */
import { CostEstimate, CostLine } from "../model/cost/estimate";
import { formatUsd } from "../model/cost/lines";

function percent(ratio: number | null): string {
    return ratio === null ? "n/a" : `${(ratio * 100).toFixed(1)}%`;
}

function shortType(type: string): string {
    // gcp:container/nodePool:NodePool → gcp:NodePool
    const parts = type.split(":");
    return parts.length === 3 && parts[1].includes("/") ? `${parts[0]}:${parts[2]}` : type;
}

function pad(cells: string[][], rightAligned: ReadonlySet<number>): string[] {
    const widths = cells[0].map((_, i) => Math.max(...cells.map((row) => row[i].length)));
    return cells.map((row) => row.map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join("  ").trimEnd());
}

/** Whether the cost targets bind `phase` (unknown: treated as binding), or are advice there. */
export function targetsEnforced(targets: CostEstimate["targets"], phase: number | null | undefined): boolean {
    return targets.enforced && (phase === null || phase === undefined || phase >= targets.mandatoryFromPhase);
}

/** Why a target (as the caller writes it, such as "70%") is advice: the stack's policy config, or a phase before the targets bind. */
export function targetAdvice(target: string, targets: CostEstimate["targets"]): string {
    return targets.enforced ? `the target ≤ ${target} applies from phase ${targets.mandatoryFromPhase}` : `the target ≤ ${target} is advice for this stack: migration:policyConfig`;
}

function verdict(ratio: number | null, target: number, targets?: CostEstimate["targets"], phase?: number | null): string {
    if (ratio === null) return "no baseline";
    if (targets && !targetsEnforced(targets, phase)) return targets.enforced ? `target ≤ ${percent(target)} from phase ${targets.mandatoryFromPhase}; advice here` : targetAdvice(percent(target), targets);
    return ratio <= target ? `meets ≤ ${percent(target)}` : `MISSES ≤ ${percent(target)}`;
}

export interface BreakdownTitle {
    stack?: string;
    phase?: number;
}

/** The text breakdown: one row per priced resource, then totals, ratios, and what was not priced. */
export function formatCostBreakdown(estimate: CostEstimate, title: BreakdownTitle = {}): string {
    const heading = [
        "Estimated monthly cost",
        title.stack !== undefined ? `stack ${title.stack}` : undefined,
        title.phase !== undefined ? `phase ${title.phase}` : undefined,
        `catalog ${estimate.catalogVersion}`,
    ]
        .filter(Boolean)
        .join(" — ");
    const rows: string[][] = [["resource", "type", "side", "phase", "monthly", "per training", "how"]];
    const ordered = [...estimate.resources].sort((a, b) => Number(b.priced) - Number(a.priced) || b.monthlyUsd - a.monthlyUsd);
    for (const line of ordered) {
        rows.push([
            line.name,
            shortType(line.type),
            line.side,
            line.phase === undefined ? "-" : String(line.phase),
            line.priced ? formatUsd(line.monthlyUsd) : "UNPRICED",
            line.perTrainingUsd === undefined ? "" : formatUsd(line.perTrainingUsd),
            line.priced ? line.detail : (line.reason ?? ""),
        ]);
    }
    const out = [heading, "", ...pad(rows, new Set([4, 5])), ""];
    out.push(`Total            ${formatUsd(estimate.monthlyUsd)} a month (GCP ${formatUsd(estimate.gcpMonthlyUsd)}, Databricks ${formatUsd(estimate.databricksMonthlyUsd)})`);
    out.push(
        `Per training run ${estimate.perTrainingUsd === null ? "n/a" : formatUsd(estimate.perTrainingUsd)} (${
            { "databricks-job": "the Databricks training job", "gcp-pools": "the GCP training pools", none: "no training workload priced" }[estimate.perTrainingSource]
        })`,
        `  rests on       ${estimate.perTrainingBasis}`,
    );
    if (estimate.baseline) {
        out.push(
            `vs baseline      total ${percent(estimate.baselineRatio)} of ${formatUsd(estimate.baseline.monthlyUsd)} (${verdict(estimate.baselineRatio, estimate.targets.totalCostRatio, estimate.targets, title.phase)}), ` +
                `per training ${percent(estimate.perTrainingRatio)} (${verdict(estimate.perTrainingRatio, estimate.targets.perTrainingCostRatio, estimate.targets, title.phase)})`,
        );
    }
    const phases = Object.entries(estimate.byPhase).sort(([a], [b]) => a.localeCompare(b));
    if (phases.length > 0) out.push(`By phase added   ${phases.map(([phase, usd]) => `${phase} ${formatUsd(usd)}`).join(", ")}`);
    if (estimate.unpriced.length > 0) {
        out.push("", `WARNING: ${estimate.unpriced.length} resource(s) could not be priced and are not in the totals:`);
        for (const line of estimate.resources.filter((l) => !l.priced)) out.push(`  - ${line.urn}: ${line.reason}`);
    }
    if (estimate.warnings.filter((w) => !w.includes(" is not priced: ")).length > 0) {
        out.push("", "Notes:");
        for (const warning of estimate.warnings.filter((w) => !w.includes(" is not priced: "))) out.push(`  - ${warning}`);
    }
    const notModelled = Object.entries(estimate.notModelled);
    if (notModelled.length > 0) {
        out.push("", `Not modelled (no cost of their own, or usage-priced only): ${notModelled.map(([type, n]) => `${shortType(type)} ×${n}`).join(", ")}`);
    }
    return out.join("\n") + "\n";
}

function change(before: number | null, after: number | null): [string, string] {
    if (before === null || after === null) return ["n/a", "n/a"];
    const delta = after - before;
    const sign = delta > 0 ? "+" : delta < 0 ? "−" : "";
    const pct = before === 0 ? (after === 0 ? "0.0%" : "new") : `${sign}${Math.abs((delta / before) * 100).toFixed(1)}%`;
    return [`${sign}${formatUsd(Math.abs(delta))}`, pct];
}

function cell(value: number | null): string {
    return value === null ? "n/a" : formatUsd(value);
}

/**
 * The pull-request comment's table: baseline, new, change and % for the monthly total, each
 * side and one training run, the ratios against the targets, then the resources whose cost
 * changed. `baseline` is the estimate the change is compared with (the target branch, or phase 0).
 */
export function formatCostDiffMarkdown(baseline: CostEstimate, next: CostEstimate, title = "Cost estimate", phase?: number | null): string {
    const rows: [string, number | null, number | null][] = [
        ["Monthly total", baseline.monthlyUsd, next.monthlyUsd],
        ["GCP", baseline.gcpMonthlyUsd, next.gcpMonthlyUsd],
        ["Databricks", baseline.databricksMonthlyUsd, next.databricksMonthlyUsd],
        ["Per training run", baseline.perTrainingUsd, next.perTrainingUsd],
    ];
    const out = [`### ${title}`, "", "| | Baseline | New | Change | % |", "|---|---:|---:|---:|---:|"];
    for (const [label, before, after] of rows) {
        const [delta, pct] = change(before, after);
        out.push(`| ${label} | ${cell(before)} | ${cell(after)} | ${delta} | ${pct} |`);
    }
    if (next.baselineRatio !== null || next.perTrainingRatio !== null) {
        out.push(
            "",
            `Against the phase-0 GCP baseline: total **${percent(next.baselineRatio)}** (${verdict(next.baselineRatio, next.targets.totalCostRatio, next.targets, phase)}), ` +
                `per training **${percent(next.perTrainingRatio)}** (${verdict(next.perTrainingRatio, next.targets.perTrainingCostRatio, next.targets, phase)}); ` +
                `one training run rests on ${next.perTrainingBasis}.`,
        );
    }

    const before = new Map(baseline.resources.map((l) => [l.urn, l]));
    const after = new Map(next.resources.map((l) => [l.urn, l]));
    const changed: [string, CostLine | undefined, CostLine | undefined][] = [];
    for (const urn of new Set([...before.keys(), ...after.keys()])) {
        const a = before.get(urn);
        const b = after.get(urn);
        if (a && b && a.priced === b.priced && Math.abs(a.monthlyUsd - b.monthlyUsd) < 0.005) continue;
        changed.push([urn, a, b]);
    }
    if (changed.length > 0) {
        out.push("", "| Resource | Baseline | New | Change |", "|---|---:|---:|---:|");
        const value = (l: CostLine | undefined) => (l === undefined ? "—" : l.priced ? formatUsd(l.monthlyUsd) : "unpriced");
        changed.sort(([, a1, b1], [, a2, b2]) => Math.abs((b2?.monthlyUsd ?? 0) - (a2?.monthlyUsd ?? 0)) - Math.abs((b1?.monthlyUsd ?? 0) - (a1?.monthlyUsd ?? 0)));
        for (const [, a, b] of changed) {
            const name = (b ?? a)!.name;
            const [delta] = change(a?.priced ? a.monthlyUsd : a ? null : 0, b?.priced ? b.monthlyUsd : b ? null : 0);
            out.push(`| \`${name}\` (${shortType((b ?? a)!.type)})${b ? (a ? "" : " added") : " removed"} | ${value(a)} | ${value(b)} | ${delta} |`);
        }
    }
    if (next.unpriced.length > 0) {
        out.push("", `> ⚠️ ${next.unpriced.length} resource(s) could not be priced and are not in the totals: ${next.unpriced.map((u) => `\`${u}\``).join(", ")}`);
    }
    return out.join("\n") + "\n";
}
