/**
 * The promotion gate: whether benchmark results allow a stack to move past the phase they
 * were measured in. Pure (no Pulumi import), so the policy pack and the `migration promote`
 * command share one evaluation, over the one set of thresholds in `targets.ts`.
 */
import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import { maxPhase, phaseCapabilities, SuccessGate, successGates } from "./targets";

export type GateOp = ">=" | "<=";

export interface GateThreshold {
    op: GateOp;
    /** Limit as a ratio of the GCP baseline. */
    ratio: number;
    description: string;
}

export type GateThresholds = Record<SuccessGate, GateThreshold>;

export const gateNames = Object.keys(successGates) as SuccessGate[];

/**
 * Seed "Phase 1, Day 6-7: Initial Testing": the first benchmark suite runs once Databricks
 * exists, so leaving phase 1 is the first promotion a gate can judge.
 */
export const firstBenchmarkedPhase = phaseCapabilities.promotionGate;

/** A metric as the benchmark suite reports it: the Databricks/GCP ratio, or both measurements. */
export type MetricValue = number | { databricks: number; gcp: number };

export interface BenchmarkResults {
    /** The phase the benchmarks ran in. */
    phase: number;
    metrics: Partial<Record<SuccessGate, MetricValue>>;
    /** Where the results came from (a file, a run), quoted in messages. */
    source?: string;
}

export class BenchmarkResultsError extends Error {
    constructor(
        readonly source: string,
        readonly problems: string[],
    ) {
        super(`benchmark results from ${source} are invalid: ${problems.join("; ")}`);
        this.name = "BenchmarkResultsError";
    }
}

/** Thresholds with per-stack overrides of the ratios (a team tightens a gate in config). */
export function gateThresholds(overrides: Partial<Record<SuccessGate, number>> = {}): GateThresholds {
    const result = {} as GateThresholds;
    for (const gate of gateNames) {
        const base = successGates[gate];
        const ratio = overrides[gate] ?? base.ratio;
        const percent = Math.round(ratio * 1000) / 10;
        const description =
            ratio === base.ratio ? base.description : base.description.replace(/\d+(\.\d+)?%/, `${percent}%`);
        result[gate] = { op: base.op, ratio, description };
    }
    return result;
}

export function metricRatio(value: MetricValue): number {
    return typeof value === "number" ? value : value.databricks / value.gcp;
}

function isMetricValue(value: unknown): value is MetricValue {
    if (typeof value === "number") return Number.isFinite(value) && value >= 0;
    if (value === null || typeof value !== "object") return false;
    const { databricks, gcp } = value as Record<string, unknown>;
    return (
        typeof databricks === "number" &&
        typeof gcp === "number" &&
        Number.isFinite(databricks) &&
        databricks >= 0 &&
        Number.isFinite(gcp) &&
        gcp > 0
    );
}

/**
 * Reads results as JSON gives them (`{ phase, metrics: { trainingThroughput: 0.97, … } }`),
 * collecting every problem. Unknown metric names are refused: a typo must not pass as "missing".
 */
export function parseBenchmarkResults(raw: unknown, source: string): BenchmarkResults {
    const problems: string[] = [];
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
        throw new BenchmarkResultsError(source, ["expected an object { phase, metrics }"]);
    }
    const { phase, metrics } = raw as Record<string, unknown>;
    if (typeof phase !== "number" || !Number.isInteger(phase) || phase < 0 || phase > maxPhase) {
        problems.push(`phase = ${JSON.stringify(phase)}: expected the phase the benchmarks ran in, an integer from 0 to ${maxPhase}`);
    }
    const parsed: Partial<Record<SuccessGate, MetricValue>> = {};
    if (metrics === null || typeof metrics !== "object" || Array.isArray(metrics)) {
        problems.push(`metrics = ${JSON.stringify(metrics)}: expected an object of ${gateNames.join(", ")}`);
    } else {
        for (const [name, value] of Object.entries(metrics as Record<string, unknown>)) {
            if (!(gateNames as string[]).includes(name)) {
                problems.push(`metrics.${name}: no such metric; known metrics are ${gateNames.join(", ")}`);
            } else if (!isMetricValue(value)) {
                problems.push(
                    `metrics.${name} = ${JSON.stringify(value)}: expected a ratio of the GCP baseline (≥ 0) or { databricks, gcp }`,
                );
            } else {
                parsed[name as SuccessGate] = value;
            }
        }
    }
    if (problems.length > 0) throw new BenchmarkResultsError(source, problems);
    const { source: rawSource } = raw as { source?: unknown };
    return {
        phase: phase as number,
        metrics: parsed,
        source: typeof rawSource === "string" ? rawSource : source,
    };
}

/** Keys an object of JSON text gives twice (`metrics.totalCost`), which JSON.parse would silently take the last of. */
export function duplicateJsonKeys(text: string): string[] {
    const found: string[] = [];
    const walk = (node: unknown, at: string) => {
        if (isMap(node)) {
            const seen = new Set<string>();
            for (const pair of node.items) {
                const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
                const here = at ? `${at}.${key}` : key;
                if (seen.has(key)) found.push(here);
                seen.add(key);
                walk(pair.value, here);
            }
        } else if (isSeq(node)) {
            node.items.forEach((item, i) => walk(item, `${at}[${i}]`));
        }
    };
    // JSON is YAML: its parser keeps every pair of a mapping, so repeats can be named.
    walk(parseDocument(text, { uniqueKeys: false }).contents, "");
    return found;
}

/**
 * Results as JSON text (a file the benchmark suite wrote): strict JSON, no key given twice,
 * then `parseBenchmarkResults`. The policy pack's `resultsFile` and `migration promote
 * --results` both read files through this.
 */
export function parseBenchmarkResultsJson(text: string, source: string): BenchmarkResults {
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch (err) {
        throw new BenchmarkResultsError(source, [`not JSON (${(err as Error).message}); expected { "phase": N, "metrics": { … } }`]);
    }
    const repeated = duplicateJsonKeys(text);
    if (repeated.length > 0) {
        throw new BenchmarkResultsError(source, repeated.map((key) => `${key}: given more than once; give each key once`));
    }
    return parseBenchmarkResults(raw, source);
}

export interface GateOutcome {
    gate: SuccessGate;
    description: string;
    op: GateOp;
    limit: number;
    /** The measured ratio, absent when the metric is missing. */
    ratio?: number;
    passed: boolean;
}

export interface GateEvaluation {
    passed: boolean;
    outcomes: GateOutcome[];
    failed: GateOutcome[];
    missing: SuccessGate[];
}

export function evaluateGates(
    metrics: BenchmarkResults["metrics"],
    thresholds: GateThresholds = gateThresholds(),
): GateEvaluation {
    const outcomes = gateNames.map((gate): GateOutcome => {
        const { op, ratio: limit, description } = thresholds[gate];
        const value = metrics[gate];
        if (value === undefined) return { gate, description, op, limit, passed: false };
        const ratio = metricRatio(value);
        // Ratios are compared at a precision the benchmarks have; 0.95 must not fail as 0.9499999.
        const r = Number(ratio.toFixed(6));
        return { gate, description, op, limit, ratio, passed: op === ">=" ? r >= limit : r <= limit };
    });
    const missing = outcomes.filter((o) => o.ratio === undefined).map((o) => o.gate);
    const failed = outcomes.filter((o) => o.ratio !== undefined && !o.passed);
    return { passed: missing.length === 0 && failed.length === 0, outcomes, failed, missing };
}

export type PromotionDecision =
    | { status: "not-gated"; reason: string }
    | { status: "allowed"; evaluation?: GateEvaluation; reason: string }
    | { status: "blocked"; reason: string; missing: SuccessGate[]; failed: GateOutcome[] };

/**
 * Whether a stack at `stackPhase` may be there, given benchmark results: past the first
 * gated phase, it needs the results of exactly the phase it left (`stackPhase - 1`) with every
 * success metric present and met. Results of any other phase are refused, whatever they say:
 * a later phase's label must not stand in for the measurements of the phase being left.
 */
export function decidePromotion(args: {
    stackPhase: number;
    results?: BenchmarkResults;
    thresholds?: GateThresholds;
    firstGatedPhase?: number;
}): PromotionDecision {
    const { stackPhase, results } = args;
    const firstGated = args.firstGatedPhase ?? firstBenchmarkedPhase;
    const thresholds = args.thresholds ?? gateThresholds();
    if (stackPhase <= firstGated) {
        return { status: "not-gated", reason: `phase ${stackPhase} is not past phase ${firstGated}, the first benchmarked phase` };
    }
    const needed = stackPhase - 1;
    if (!results) {
        return {
            status: "blocked",
            reason: `phase ${stackPhase} needs the benchmark results of phase ${needed}, and none were given`,
            missing: [...gateNames],
            failed: [],
        };
    }
    const from = results.source ? ` (${results.source})` : "";
    if (results.phase !== needed) {
        return {
            status: "blocked",
            reason: `the results${from} are of phase ${results.phase}; phase ${stackPhase} needs those of phase ${needed}, the phase it leaves`,
            missing: [...gateNames],
            failed: [],
        };
    }
    const evaluation = evaluateGates(results.metrics, thresholds);
    if (evaluation.passed) {
        return { status: "allowed", evaluation, reason: `the results${from} of phase ${needed} meet every gate` };
    }
    return {
        status: "blocked",
        reason: `the results${from} of phase ${needed} do not meet every gate`,
        missing: evaluation.missing,
        failed: evaluation.failed,
    };
}

export function formatOutcome(outcome: GateOutcome): string {
    const percent = (x: number) => `${Math.round(x * 1000) / 10}%`;
    const found = outcome.ratio === undefined ? "missing" : percent(outcome.ratio);
    return `${outcome.gate} = ${found} of GCP (gate: ${outcome.op} ${percent(outcome.limit)}, ${outcome.description})`;
}
