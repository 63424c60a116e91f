/**
 * `migration promote --stack S --to N`: one phase up, only when the gate for leaving the
 * current phase passes. The gate is `decidePromotion` of domain/gates.ts (the policy
 * pack's `promotion-gate` evaluation), with the pack's default first gated phase: phase 0 → 1
 * is not gated, since benchmarks run on Databricks and phase 0 has none; from 1 → 2 on, the
 * results of the phase being left must meet every success metric.
 */
import { gateWithResults } from "../pack/config";
import { BenchmarkResults, decidePromotion, parseBenchmarkResults, firstBenchmarkedPhase, formatOutcome, PromotionDecision } from "../../domain/gates";
import { maxPhase, operationalKpis } from "../../domain/targets";
import { StackDriver } from "./driver";
import { CliIoLike } from "./io";
import { formatChanges, LifecycleDeps, LifecycleOptions, LifecycleUsageError, lockStack, openDriver, RefusedError, runStep, stackPosition } from "./context";
import { checkTableName, databricksSqlRunner, readResultsTable } from "./benchmarkTable";
import { readResultsFile, ResultsFileError } from "./results";
import { formatStep, previewStep } from "./step";
import { checkPhaseQuota, formatQuotaStates, isShort, quotaGatedPhase, quotaRequests, readQuotaStates } from "./quota";

export interface PromoteArgs {
    to: number;
    results?: string;
    /** `catalog.schema.benchmark_results`, read through a SQL warehouse. */
    resultsTable?: string;
}

/**
 * The results the gate judges: a file, the table, or both (the table gives the suite's
 * throughput and latency ratios, the file the rest); a metric given by both is refused.
 */
async function loadResults(args: PromoteArgs, phase: number, deps: LifecycleDeps): Promise<BenchmarkResults | undefined> {
    const file = args.results ? readResultsFile(args.results, phase) : undefined;
    if (!args.resultsTable) return file;
    checkTableName(args.resultsTable);
    const table = await readResultsTable(await (deps.sqlRunner ?? databricksSqlRunner)(), args.resultsTable, phase);
    if (!file) return parseBenchmarkResults(table, table.source);
    if (file.phase !== table.phase) {
        throw new ResultsFileError(`--results ${args.results}: its results are of phase ${file.phase}; the table's are taken as the current phase's, ${phase}`);
    }
    const both = Object.keys(file.metrics).filter((m) => m in table.metrics);
    if (both.length > 0) throw new ResultsFileError(`${both.join(", ")}: given by both --results and --results-table; give each metric once`);
    const source = `${table.source} + ${file.source}`;
    return parseBenchmarkResults({ phase, metrics: { ...table.metrics, ...file.metrics }, source }, source);
}

export function formatDecision(decision: PromotionDecision): string {
    const lines = [`gate: ${decision.status} — ${decision.reason}`];
    if (decision.status === "allowed" && decision.evaluation) lines.push(...decision.evaluation.outcomes.map((o) => `  ✓ ${formatOutcome(o)}`));
    if (decision.status === "blocked") {
        for (const o of decision.failed) lines.push(`  ✗ ${formatOutcome(o)}`);
        if (decision.missing.length > 0) lines.push(`  missing: ${decision.missing.join(", ")}`);
    }
    return lines.join("\n") + "\n";
}

export async function promote(options: LifecycleOptions, args: PromoteArgs, deps: LifecycleDeps, io: CliIoLike): Promise<number> {
    const driver = await openDriver(options, deps);
    // Taken before the phase is read, so two runs never act on the same reading.
    const lock = options.dryRun ? undefined : lockStack(options, deps, `migration promote --to ${args.to}`);
    try {
        return await promoteLocked(driver, options, args, deps, io);
    } finally {
        lock?.release();
    }
}

async function promoteLocked(driver: StackDriver, options: LifecycleOptions, args: PromoteArgs, deps: LifecycleDeps, io: CliIoLike): Promise<number> {
    const position = await stackPosition(driver, options.phaseKey);
    // The phase the stack really runs at; a config ahead of it is an interrupted step.
    const from = position.deployed ?? position.declared;
    const retry = position.deployed !== undefined && position.declared !== position.deployed;
    if (retry && !(position.declared === args.to && position.deployed === args.to - 1)) {
        throw new RefusedError(
            `${options.stack}'s config says phase ${position.declared} but its last completed update ran at phase ${position.deployed}: ` +
                `a step was interrupted or the stack file changed without a deployment. Finish that step (rerun the command that made it) ` +
                `or return to phase ${position.deployed} (migration rollback --to ${position.deployed}) before promoting`,
        );
    }
    if (args.to <= from) {
        throw new LifecycleUsageError(
            `--to ${args.to}: the stack is at phase ${from}; promote only moves up (to ${from + 1})${args.to < from ? ", use migration rollback to move down" : ""}`,
        );
    }
    if (args.to !== from + 1) {
        throw new LifecycleUsageError(`--to ${args.to}: the stack is at phase ${from}; phases are not skipped, promote to ${from + 1} first`);
    }
    if (args.to > maxPhase) throw new LifecycleUsageError(`--to ${args.to}: the last phase is ${maxPhase}`);

    const results = await loadResults(args, from, deps);
    const decision = decidePromotion({ stackPhase: args.to, results, firstGatedPhase: firstBenchmarkedPhase });
    io.stdout(`promote ${options.stack}: phase ${from} → ${args.to}\n`);
    if (retry) io.stdout(`the stack's config already names phase ${args.to} but its last completed update ran at ${from}: retrying the promotion that did not complete\n`);
    io.stdout(formatDecision(decision));

    if (options.dryRun) {
        const step = await previewStep({ projectDir: options.cwd, stack: options.stack, phaseKey: options.phaseKey, from: { phase: from }, to: { phase: args.to } });
        io.stdout(formatStep(`dry run: phase ${from} → ${args.to} (nothing changed)`, step, { name: "deployment", minutes: operationalKpis.deploymentMinutes }));
        // The GPU quota the phase needs must be granted, not only requested.
        const quota = args.to === quotaGatedPhase && deps.quotaReader ? await readQuotaStates(quotaRequests(step.to), deps.quotaReader) : [];
        if (quota.length > 0) io.stdout(formatQuotaStates(quota));
        return decision.status === "blocked" || isShort(quota) ? 1 : 0;
    }
    if (decision.status === "blocked") throw new RefusedError(`promotion to phase ${args.to} refused: ${decision.reason}`);
    if (args.to === quotaGatedPhase && deps.quotaReader) {
        const quota = await checkPhaseQuota(options, args.to, deps.quotaReader);
        io.stdout(formatQuotaStates(quota));
        if (isShort(quota)) throw new RefusedError(`promotion to phase ${args.to} refused: the GPU quota it needs is not granted yet`);
    }

    const gate = {
        status: decision.status,
        reason: decision.reason,
        ...(decision.status === "allowed" && decision.evaluation ? { outcomes: decision.evaluation.outcomes } : {}),
    };
    const summary = await runStep(driver, options, deps, {
        kind: "promote",
        fromPhase: from,
        toPhase: args.to,
        gate,
        apply: { [options.phaseKey]: String(args.to) },
        // The stack file keeps naming the last phase that deployed; rerunning retries the step.
        undo: { [options.phaseKey]: String(from) },
        policyConfig: results ? gateWithResults(results) : {},
        message: `migration promote: phase ${from} → ${args.to} (${decision.status})`,
    });
    io.stdout(`up succeeded (${formatChanges(summary)}); ${options.stack} is at phase ${args.to}\n`);
    return 0;
}
