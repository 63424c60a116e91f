/**
 * What the policy pack and the tools agree on: the pack's name, the policies the tools address
 * by name, and the config the cost-ratio policies take. The tools never import the pack (they
 * start it, as the Pulumi CLI does); both sides read these names from here.
 */

export const packName = "gcp-databricks-migration";

/** Holds a stack to the success metrics before it leaves a phase; takes the benchmark results as `results`. */
export const promotionGatePolicy = "promotion-gate";
/** Holds a stack to the cost targets from `cost.targets.mandatoryFromPhase` on. */
export const costRatioTargetsPolicy = "cost-ratio-targets";
/** The same ratios as advice, in the phases before the targets are mandatory. */
export const costRatioForecastPolicy = "cost-ratio-forecast";

/** The phase-0 GCP estimate of the same stack: what the cost ratios are taken against. */
export interface CostBaseline {
    monthlyUsd: number;
    perTrainingUsd: number | null;
}

/** The config both cost-ratio policies take (one object, under each name). */
export interface CostRatioPolicyConfig {
    /** The stack's `migration:phase`; when absent the stack's `phase` output is used. */
    phase?: number;
    /** The stack's `migration:cost` group as written in its stack file. */
    cost?: unknown;
    /** The same stack's phase-0 estimate; required from phase 1 on. */
    baseline?: CostBaseline;
}

/** The pack config that passes a stack's phase, cost group and baseline to both cost-ratio policies. */
export function costRatioPolicyConfig(config: CostRatioPolicyConfig): Record<string, CostRatioPolicyConfig> {
    return { [costRatioTargetsPolicy]: config, [costRatioForecastPolicy]: config };
}
