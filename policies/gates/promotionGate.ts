/**
 * Seed "Success Metrics": a stack may move past a phase only when that phase's benchmark
 * results (of exactly that phase, every metric once) meet every gate (training throughput ≥ 95% of GCP, convergence ≤ 105%, inference
 * latency ≤ 110%, inference throughput ≥ 90%, total cost ≤ 70%, cost per training ≤ 75%).
 * Results come from the policy config (`results`) or a JSON file (`resultsFile`, relative to
 * the pack's directory); the evaluation is `domain/gates.ts`, shared with `migration promote`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
    BenchmarkResults,
    BenchmarkResultsError,
    decidePromotion,
    firstBenchmarkedPhase,
    formatOutcome,
    gateNames,
    gateThresholds,
    parseBenchmarkResults,
    parseBenchmarkResultsJson,
} from "../../domain/gates";
import { promotionGatePolicy } from "../../domain/packContract";
import { SuccessGate, successGates } from "../../domain/targets";
import { configSchema, count, settings } from "../lib/config";
import { violation } from "../lib/messages";
import { stackPhase } from "../../tools/model/labels";
import { snapshots, stackPolicy } from "../lib/policy";

const schema = configSchema({
    results: {
        type: "object",
        description:
            'Benchmark results: { "phase": N, "metrics": { "trainingThroughput": 0.97, … } }, each metric a ratio of the GCP baseline or { "databricks": x, "gcp": y }.',
    },
    resultsFile: {
        type: "string",
        description: "A JSON file with the same shape, written by the benchmark suite; relative paths are from the pack's directory.",
    },
    thresholds: {
        type: "object",
        properties: Object.fromEntries(gateNames.map((g) => [g, { type: "number", minimum: 0, description: successGates[g].description }])),
        additionalProperties: false,
        default: Object.fromEntries(gateNames.map((g) => [g, successGates[g].ratio])),
        description: "Gate limits as ratios of the GCP baseline (seed success metrics).",
    },
    firstGatedPhase: count(firstBenchmarkedPhase, "The first phase whose benchmark results gate the promotion out of it."),
});

interface Settings {
    results?: unknown;
    resultsFile?: string;
    thresholds: Partial<Record<SuccessGate, number>>;
    firstGatedPhase: number;
}

type Loaded = { results?: BenchmarkResults; problem?: string };

function loadResults(config: Settings): Loaded {
    try {
        if (config.results !== undefined) return { results: parseBenchmarkResults(config.results, "the policy config") };
        if (!config.resultsFile) return {};
        const file = path.resolve(config.resultsFile);
        if (!fs.existsSync(file)) return { problem: `the results file ${file} does not exist` };
        return { results: parseBenchmarkResultsJson(fs.readFileSync(file, "utf8"), file) };
    } catch (error) {
        if (error instanceof BenchmarkResultsError) return { problem: error.message };
        throw error;
    }
}


export const promotionGate = stackPolicy({
    name: promotionGatePolicy,
    description:
        "A stack moves past a phase only when that phase's benchmark results meet every success metric (seed Success Metrics).",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: schema,
    validateStack: (args, report) => {
        const config = settings<Settings>(args, schema);
        const phase = stackPhase(snapshots(args.resources));
        if (!phase) args.notApplicable("the stack's phase is not known (no `phase` stack output or phase labels)");
        const { results, problem } = loadResults(config);
        const decision = decidePromotion({
            stackPhase: phase!.phase,
            results,
            thresholds: gateThresholds(config.thresholds),
            firstGatedPhase: config.firstGatedPhase,
        });
        if (decision.status === "not-gated") return args.notApplicable(decision.reason);
        if (decision.status === "allowed") return;
        const found = [
            ...(problem ? [problem] : []),
            decision.reason,
            ...(decision.missing.length > 0 ? [`missing: ${decision.missing.join(", ")}`] : []),
            ...decision.failed.map(formatOutcome),
        ].join("; ");
        report(
            violation({
                resource: `the stack at phase ${phase!.phase} (${phase!.from})`,
                what: "the promotion gate's verdict",
                found: `blocked (${found})`,
                limit: gateNames.map((g) => gateThresholds(config.thresholds)[g].description).join(", "),
                fix: `run the benchmark suite of phase ${phase!.phase - 1} and give its results (policy config "results" or "resultsFile"), or lower migration:phase to ${phase!.phase - 1}`,
            }),
        );
    },
});
