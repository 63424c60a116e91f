/**
 * The cost estimator: a resource graph, a price catalog and a stack's usage assumptions in;
 * monthly cost per resource, per side (GCP / Databricks) and per introducing phase, the cost
 * of one training run, and the ratios to the phase-0 GCP baseline out.
 *
 * Pure and independent of the Pulumi runtime, so the CLI, the reports and the policy pack
 * call the same function. A resource of a priced kind that cannot be priced (an unknown
 * machine or node type, a serverless task) is listed in `unpriced` with a warning and left
 * out of the totals, never counted as zero.
 */
import { CostConfig, defaultCostConfig } from "../../../domain/costUsage";
import { defaultCatalog, PriceCatalog, withOverrides } from "./catalog";
import { databricksPricers } from "./databricksPricing";
import { gcpGpuRunCost, trainingReference } from "./equalWork";
import { gcpPricers, PricedAmount } from "./gcpPricing";
import { CostLine, formatUsd, PricedResource, PricingContext, Side, Unpriced } from "./lines";
import { phaseOf } from "../labels";

export type { CostLine, PricedResource, Side } from "./lines";

export type { CostBaseline } from "../../../domain/packContract";
import type { CostBaseline } from "../../../domain/packContract";

export interface EstimateOptions {
    /** The project's catalog unless given; the stack's `priceOverrides` are applied over it. */
    catalog?: PriceCatalog;
    /** The stack's `migration:cost` (validated); its defaults when omitted. */
    usage?: CostConfig;
    baseline?: CostBaseline;
    /** False when the stack's policy config makes the cost targets advice at every phase; enforced when omitted. */
    targetsEnforced?: boolean;
}

/** The summary each phase of a plan carries (`cost` in the plan JSON). */
export interface CostSummary {
    monthlyUsd: number;
    gcpMonthlyUsd: number;
    databricksMonthlyUsd: number;
    perTrainingUsd: number | null;
    /** What one training run's cost rests on: equal work by a measured or a sourced/assumed throughput, or configured hours. */
    perTrainingBasis: string;
    baselineRatio: number | null;
    perTrainingRatio: number | null;
    unpriced: string[];
}

export interface CostEstimate extends CostSummary {
    catalogVersion: string;
    /** Where the per-training cost comes from: the Databricks training job, the GCP training pools, or nowhere yet. */
    perTrainingSource: "databricks-job" | "gcp-pools" | "none";
    /** Monthly cost by the phase that introduced each resource (`phase-0`, …, `unlabelled`). */
    byPhase: Record<string, number>;
    /**
     * The cost targets, enforced from `mandatoryFromPhase` on and advice before it; advice at every
     * phase when the stack's policy config makes them so (`enforced` false).
     */
    targets: { totalCostRatio: number; perTrainingCostRatio: number; mandatoryFromPhase: number; enforced: boolean };
    /** Whether the ratios meet the targets; null without a baseline. */
    meetsTargets: { total: boolean | null; perTraining: boolean | null };
    resources: CostLine[];
    /** Resource types in the graph the model does not price (networks, IAM, budgets…), with counts. */
    notModelled: Record<string, number>;
    warnings: string[];
    baseline?: CostBaseline;
}

const pricers: Record<string, { side: Side; price: (r: PricedResource, ctx: PricingContext) => PricedAmount }> = {
    ...Object.fromEntries(Object.entries(gcpPricers).map(([type, price]) => [type, { side: "gcp" as const, price }])),
    ...Object.fromEntries(Object.entries(databricksPricers).map(([type, price]) => [type, { side: "databricks" as const, price }])),
};

/** Resource types the estimator prices. */
export const pricedTypes: readonly string[] = Object.keys(pricers);

/** Provider resources (`gcp:compute/network:Network`), as opposed to components, providers and the stack. */
function isProviderResource(type: string): boolean {
    return /^[a-z0-9-]+:[^:]*\/[^:]*:[^:]+$/.test(type) && !type.startsWith("pulumi:");
}

/** The Databricks job a resource is, by its `name` input (the resource name when unset). */
function jobNameOf(r: PricedResource): string | undefined {
    if (r.type !== "databricks:index/job:Job") return undefined;
    return typeof r.inputs.name === "string" && r.inputs.name !== "" ? r.inputs.name : r.name;
}

export function estimateCost(graph: { resources: readonly PricedResource[] }, options: EstimateOptions = {}): CostEstimate {
    const usage = options.usage ?? defaultCostConfig;
    const catalog = withOverrides(options.catalog ?? defaultCatalog, usage.priceOverrides);
    const warnings: string[] = [];
    const reference = trainingReference(graph.resources, usage, catalog);
    const ctx: PricingContext = { catalog, usage, warn: (message) => warnings.push(message), ...(reference ? { trainingReference: reference } : {}) };

    const resources: CostLine[] = [];
    const notModelled: Record<string, number> = {};
    let trainingJob: CostLine | undefined;
    let trainingJobBasis: PricedAmount["perTrainingBasis"];
    let trainingJobUnpriced = false;
    const gpuPools: { line: CostLine; share: NonNullable<PricedAmount["trainingPool"]> }[] = [];
    for (const r of graph.resources) {
        const pricer = pricers[r.type];
        if (!pricer) {
            if (isProviderResource(r.type)) notModelled[r.type] = (notModelled[r.type] ?? 0) + 1;
            continue;
        }
        const base = { urn: r.urn, type: r.type, name: r.name, side: pricer.side, phase: phaseOf(r.type, r.inputs) };
        try {
            const amount = pricer.price(r, ctx);
            const line: CostLine = {
                ...base,
                priced: true,
                monthlyUsd: amount.monthlyUsd,
                ...(amount.perTrainingUsd !== undefined ? { perTrainingUsd: amount.perTrainingUsd } : {}),
                detail: amount.detail,
                assumptions: amount.assumptions,
                prices: amount.prices,
            };
            resources.push(line);
            if (amount.trainingPool) gpuPools.push({ line, share: amount.trainingPool });
            if (jobNameOf(r) === usage.training.jobName) {
                trainingJob = line;
                trainingJobBasis = amount.perTrainingBasis;
            }
        } catch (error) {
            if (!(error instanceof Unpriced)) throw error;
            warnings.push(`${r.urn} is not priced: ${error.reason}`);
            resources.push({ ...base, priced: false, monthlyUsd: 0, detail: "not priced", assumptions: [], prices: [], reason: error.reason });
            if (jobNameOf(r) === usage.training.jobName) trainingJobUnpriced = true;
        }
    }

    const priced = resources.filter((l) => l.priced);
    const sum = (lines: CostLine[]) => lines.reduce((total, l) => total + l.monthlyUsd, 0);
    const gcpMonthlyUsd = sum(priced.filter((l) => l.side === "gcp"));
    const databricksMonthlyUsd = sum(priced.filter((l) => l.side === "databricks"));
    const monthlyUsd = gcpMonthlyUsd + databricksMonthlyUsd;

    const byPhase: Record<string, number> = {};
    for (const line of priced) {
        const key = line.phase === undefined ? "unlabelled" : `phase-${line.phase}`;
        byPhase[key] = (byPhase[key] ?? 0) + line.monthlyUsd;
    }

    // The GCP run's GPU task: the reference GPU-hours at the pools' price per GPU-hour, shared
    // among the pools by their GPUs at maximum (equalWork.ts).
    if (reference && gpuPools.length > 0) {
        const { parts, usdPerGpuHour } = gcpGpuRunCost(reference, gpuPools.map((p) => p.share));
        gpuPools.forEach(({ line }, i) => {
            line.perTrainingUsd = parts[i];
            line.assumptions.push(`one training run: ${reference.describe} at ${formatUsd(usdPerGpuHour)} per GPU-hour across the training pools`);
        });
    }

    // One training run: the Databricks training job once it exists; until then the GCP pools
    // that run the training workflow's tasks (the GPU task as above, the others at their maximum
    // for the task's hours). A training job that cannot be priced leaves it unknown rather than falling back.
    let perTrainingUsd: number | null = null;
    let perTrainingSource: CostEstimate["perTrainingSource"] = "none";
    let perTrainingBasis = "no training workload priced";
    if (trainingJob?.perTrainingUsd !== undefined) {
        perTrainingUsd = trainingJob.perTrainingUsd;
        perTrainingSource = "databricks-job";
        perTrainingBasis = trainingJobBasis
            ? `equal work: ${trainingJobBasis.short}`
            : "the training job's configured task hours (no GKE training pool in the graph to compare work with, or jobs.<job>.taskHours set)";
    } else if (!trainingJobUnpriced) {
        const pools = priced.filter((l) => l.side === "gcp" && l.perTrainingUsd !== undefined);
        if (pools.length > 0) {
            perTrainingUsd = pools.reduce((total, l) => total + l.perTrainingUsd!, 0);
            perTrainingSource = "gcp-pools";
            perTrainingBasis = reference ? `the reference work on GCP: ${reference.describe}` : "the GKE pools at their maximum for the tasks' hours";
        }
    }

    const ratio = (value: number | null, base: number | null | undefined) =>
        value !== null && base !== null && base !== undefined && base > 0 ? value / base : null;
    const baselineRatio = ratio(monthlyUsd, options.baseline?.monthlyUsd);
    const perTrainingRatio = ratio(perTrainingUsd, options.baseline?.perTrainingUsd);
    const targets = {
        totalCostRatio: usage.targets.totalCostRatio,
        perTrainingCostRatio: usage.targets.perTrainingCostRatio,
        mandatoryFromPhase: usage.targets.mandatoryFromPhase,
        enforced: options.targetsEnforced ?? true,
    };

    return {
        catalogVersion: catalog.version,
        monthlyUsd,
        gcpMonthlyUsd,
        databricksMonthlyUsd,
        perTrainingUsd,
        perTrainingSource,
        perTrainingBasis,
        baselineRatio,
        perTrainingRatio,
        unpriced: resources.filter((l) => !l.priced).map((l) => l.urn),
        byPhase,
        targets,
        meetsTargets: {
            total: baselineRatio === null ? null : baselineRatio <= targets.totalCostRatio,
            perTraining: perTrainingRatio === null ? null : perTrainingRatio <= targets.perTrainingCostRatio,
        },
        resources,
        notModelled,
        warnings,
        ...(options.baseline ? { baseline: options.baseline } : {}),
    };
}

/** The baseline another phase's ratios are taken against: this (phase-0) estimate's totals. */
export function baselineOf(estimate: CostEstimate): CostBaseline {
    if (estimate.unpriced.length > 0) {
        throw new Error(
            `the baseline has unpriced resources (${estimate.unpriced.join(", ")}); a ratio against it would be wrong. ` +
                "Price them with migration:cost.priceOverrides first",
        );
    }
    return { monthlyUsd: estimate.monthlyUsd, perTrainingUsd: estimate.perTrainingUsd };
}

/** The plan JSON's `cost` object for a phase. */
export function costSummary(estimate: CostEstimate): CostSummary {
    const { monthlyUsd, gcpMonthlyUsd, databricksMonthlyUsd, perTrainingUsd, perTrainingBasis, baselineRatio, perTrainingRatio, unpriced } = estimate;
    return { monthlyUsd, gcpMonthlyUsd, databricksMonthlyUsd, perTrainingUsd, perTrainingBasis, baselineRatio, perTrainingRatio, unpriced };
}
