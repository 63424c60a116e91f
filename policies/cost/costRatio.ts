/**
 * Seed "Success Metrics", cost: the phase's estimated total must be ≤ 70% of the phase-0 GCP
 * baseline and one training run ≤ 75% of the baseline's. One training run is the same work on
 * both sides (tools/model/cost/equalWork.ts); the message says whether that rests on the suite's
 * measured throughput or on the sourced or assumed one. Mandatory once the stack reaches
 * `cost.targets.mandatoryFromPhase` (phase 3, hybrid operation, by default), advisory in the
 * phases before it; phase 0 is the baseline itself.
 *
 * The rule is two policies so that the enforcement level follows the phase by itself, even
 * when the pack runs without the CLI: `cost-ratio-targets` (mandatory) speaks from the
 * mandatory phase on, `cost-ratio-forecast` (advisory) before it; the other one reports
 * itself not applicable.
 *
 * Config contract (the same object for both policies; `costRatioPolicyConfig` builds it and
 * the CLI writes it to the pack config, `pulumi preview --policy-pack-config`):
 *   - `phase`: the stack's `migration:phase`. When absent, the stack's `phase` output is used;
 *     with neither, the policies are not applicable.
 *   - `cost`: the stack's `migration:cost` group as written in its stack file (usage
 *     assumptions, price overrides, targets), which the CLI validates against the stack's
 *     schema; here it gets the same defaults (domain/costUsage.ts), so an empty object means
 *     the plan's targets and the default assumptions, and its numbers are range-checked.
 *   - `baseline`: `{ monthlyUsd, perTrainingUsd }` of the same stack at phase 0, which the CLI
 *     estimates by running the program at phase 0. Required from phase 1 on: without it the
 *     ratio cannot be judged, which is reported as a violation (never passed silently).
 */
import type { PolicyResource, ReportViolation, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { costProblems, withCostDefaults } from "../../domain/costUsage";
import { phaseCapabilities } from "../../domain/targets";
import { costRatioForecastPolicy, costRatioTargetsPolicy, CostRatioPolicyConfig } from "../../domain/packContract";
import { CostEstimate, estimateCost, PricedResource, pricedTypes } from "../../tools/model/cost/estimate";
import { formatUsd } from "../../tools/model/cost/lines";
import { snapshots, stackPolicy } from "../lib/policy";
import { stackPhaseOutput, stackType } from "../../tools/model/labels";
import { isUnknown, snapshot } from "../../tools/model/values";


const configSchema = {
    properties: {
        phase: { type: "integer" as const, minimum: 0, maximum: 3, description: "the stack's migration:phase" },
        cost: { type: "object" as const, description: "the stack's migration:cost group (usage assumptions, price overrides, targets)" },
        baseline: {
            type: "object" as const,
            description: "the same stack's phase-0 estimate: { monthlyUsd, perTrainingUsd }",
            properties: { monthlyUsd: { type: "number" as const }, perTrainingUsd: { type: ["number", "null"] as ("number" | "null")[] } },
        },
    },
};

function toPriced(r: PolicyResource): PricedResource {
    const inputs = snapshot(r.props ?? {}) as Record<string, unknown>;
    return { urn: r.urn, type: r.type, name: r.name, inputs, ...(r.parent ? { parent: r.parent.urn } : {}) };
}

function containsUnknown(value: unknown): boolean {
    if (isUnknown(value)) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}

function stackPhase(args: StackValidationArgs, config: CostRatioPolicyConfig): number | undefined {
    if (typeof config.phase === "number") return config.phase;
    return stackPhaseOutput(snapshots(args.resources.filter((r) => r.type === stackType)));
}

const pct = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;

function largest(estimate: CostEstimate): string {
    return [...estimate.resources]
        .filter((l) => l.priced)
        .sort((a, b) => b.monthlyUsd - a.monthlyUsd)
        .slice(0, 3)
        .map((l) => `${l.name} ${formatUsd(l.monthlyUsd)}`)
        .join(", ");
}

/** The check both policies share; `applies` says whether this policy speaks for the phase. */
function checkRatios(applies: (phase: number, mandatoryFromPhase: number) => string | undefined) {
    return (args: StackValidationArgs, report: ReportViolation): void => {
        const config = args.getConfig<CostRatioPolicyConfig>() ?? {};
        const phase = stackPhase(args, config);
        if (phase === undefined) {
            args.notApplicable("no phase: pass the stack's migration:phase as this policy's `phase` config (the migration CLI does)");
        }
        if (phase === phaseCapabilities.gcpBaseline) args.notApplicable(`phase ${phaseCapabilities.gcpBaseline} is the GCP baseline the ratios are measured against`);

        // The CLI passes the stack's group as its schema accepted it; a hand-written config gets the
        // same defaults, and the one check every field shares (the schema is not in the pack: it
        // would cost every start seconds of type checking).
        const problems = costProblems(config.cost);
        if (problems.length > 0) {
            report(`the policy's cost config is invalid (${problems.join("; ")}); it mirrors migration:cost in the stack file`);
            return;
        }
        const usage = withCostDefaults(config.cost);
        const notForThisPolicy = applies(phase!, usage.targets.mandatoryFromPhase);
        if (notForThisPolicy) args.notApplicable(notForThisPolicy);

        if (!config.baseline || !(config.baseline.monthlyUsd > 0)) {
            report(
                `phase ${phase}: no phase-0 baseline in the policy config, so the cost ratios cannot be judged. ` +
                    "Run the check through the migration CLI, which estimates the stack at phase 0 and passes `baseline`",
            );
            return;
        }

        const resources = args.resources.map(toPriced);
        const pending = resources.find((r) => pricedTypes.includes(r.type) && containsUnknown(r.inputs));
        if (pending) args.notApplicable(`${pending.name} has values that are known only after the update; its cost cannot be estimated yet`);
        const estimate = estimateCost({ resources }, { usage, baseline: config.baseline });
        for (const line of estimate.resources.filter((l) => !l.priced)) {
            report(
                `${line.name} (${line.type}) could not be priced: ${line.reason}. The cost ratios leave it out, so they cannot show the target is met`,
                line.urn,
            );
        }
        const { baselineRatio, perTrainingRatio, targets } = estimate;
        if (baselineRatio !== null && baselineRatio > targets.totalCostRatio) {
            report(
                `phase ${phase}: estimated ${formatUsd(estimate.monthlyUsd)} a month is ${pct(baselineRatio)} of the phase-0 GCP baseline ` +
                    `${formatUsd(config.baseline.monthlyUsd)}; the target is ≤ ${pct(targets.totalCostRatio)} (cost.targets.totalCostRatio). ` +
                    `Largest: ${largest(estimate)}. Shift workload share, move capacity to spot, or shrink node types / autoscaling bounds`,
            );
        }
        if (config.baseline.perTrainingUsd !== null && estimate.perTrainingUsd === null) {
            report(`phase ${phase}: the cost of one training run could not be estimated, so cost per training cannot be checked`);
        } else if (perTrainingRatio !== null && perTrainingRatio > targets.perTrainingCostRatio) {
            report(
                `phase ${phase}: one training run is estimated at ${formatUsd(estimate.perTrainingUsd!)}, ${pct(perTrainingRatio)} of the baseline's ` +
                    `${formatUsd(config.baseline.perTrainingUsd!)}; the target is ≤ ${pct(targets.perTrainingCostRatio)} (cost.targets.perTrainingCostRatio). ` +
                    `The run rests on ${estimate.perTrainingBasis}. ` +
                    "Use spot workers or a node type with more work per dollar for the training job, or record the suite's measured throughput " +
                    "(cost.training.measuredThroughput) if the assumed one is wrong",
            );
        }
    };
}

const shared = {
    configSchema,
    severity: "high" as const,
    tags: ["cost", "success-metrics"],
    remediationSteps:
        "Run `migration cost --stack <stack>` for the breakdown. Lower the largest lines (spot share, node types, autoscaling bounds, " +
        "workload share, schedules), or correct an assumption in migration:cost if the estimate does not match how the stack is used.",
};

export const costRatioTargets: StackValidationPolicy = stackPolicy({
    name: costRatioTargetsPolicy,
    description: "From the mandatory phase (3) on: total cost ≤ 70% and cost per training ≤ 75% of the phase-0 GCP baseline (seed success metrics).",
    enforcementLevel: "mandatory",
    ...shared,
    validateStack: checkRatios((phase, mandatoryFromPhase) =>
        phase < mandatoryFromPhase ? `phase ${phase} is before phase ${mandatoryFromPhase}; ${costRatioForecastPolicy} reports the ratios as advice` : undefined,
    ),
});

export const costRatioForecast: StackValidationPolicy = stackPolicy({
    name: costRatioForecastPolicy,
    description: "Before the mandatory phase: forecasts whether total cost ≤ 70% and cost per training ≤ 75% of the phase-0 GCP baseline will be met.",
    enforcementLevel: "advisory",
    ...shared,
    validateStack: checkRatios((phase, mandatoryFromPhase) =>
        phase >= mandatoryFromPhase ? `phase ${phase} is checked by the mandatory ${costRatioTargetsPolicy}` : undefined,
    ),
});

/** Both policies, for the pack's index. */
export const costRatioPolicies: StackValidationPolicy[] = [costRatioTargets, costRatioForecast];
