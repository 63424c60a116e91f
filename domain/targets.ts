/**
 * The transition plan's numbers, in one typed module. Components size resources from it,
 * the policy pack uses it as its config defaults, and the docs and reports quote it, so a
 * threshold is changed in exactly one place (or overridden per stack in config).
 *
 * No Pulumi import here: the policy pack and the CLI read this without the runtime.
 */

/** Seed "Week 4: Optimization" — cost_rules. */
export const costRules = {
    databricks: {
        /** Minimum DBU utilisation a cluster should sustain (alert floor). */
        minDbuUtilization: 0.8,
        /** Share of workers that must run on spot (preemptible) capacity. */
        spotInstanceTarget: 0.7,
        /** Minutes of inactivity after which an all-purpose cluster terminates. */
        clusterIdleTimeoutMinutes: 30,
    },
    gcp: {
        /** Share of GPU capacity (GPUs, not nodes) that must be spot. */
        spotInstanceTarget: 0.6,
        /** Minimum GPU utilisation (DCGM) a pool should sustain (alert floor). */
        minGpuUtilization: 0.85,
        /** Minutes an idle node may stay before the autoscaler removes it. */
        maxIdleMinutes: 15,
    },
    /** Seed "Real-time Monitoring": alert at $1K/day. */
    dailyCostAlertUsd: 1000,
    /** Seed "Performance Tuning": fraction of GPU memory a training process may claim. */
    gpuMemoryUtilization: 0.85,
} as const;

/** Seed "Real-time Monitoring": alert when a performance metric drops by this fraction. */
export const performanceDegradationAlert = 0.15;

/** Seed "Success Metrics" — promotion gates, as ratios of the GCP baseline. */
export const successGates = {
    trainingThroughput: { op: ">=", ratio: 0.95, description: "training throughput ≥ 95% of GCP" },
    convergenceTime: { op: "<=", ratio: 1.05, description: "convergence time ≤ 105% of GCP" },
    inferenceLatency: { op: "<=", ratio: 1.1, description: "inference latency ≤ 110% of GCP" },
    inferenceThroughput: { op: ">=", ratio: 0.9, description: "inference throughput ≥ 90% of GCP" },
    totalCost: { op: "<=", ratio: 0.7, description: "total cost ≤ 70% of GCP" },
    costPerTraining: { op: "<=", ratio: 0.75, description: "cost per training ≤ 75% of GCP" },
} as const;

export type SuccessGate = keyof typeof successGates;

/** Seed "Operational Metrics" — monitored KPIs. */
export const operationalKpis = {
    uptime: 0.999,
    deploymentMinutes: 10,
    recoveryMinutes: 15,
    resourceUtilization: 0.85,
} as const;

/** Seed "Gradual Rollback" — workload shifted back to GCP per stage, and how long each lasts. */
export const gradualRollbackStages = [
    { stage: 1, durationDays: 1, workloadShift: 0.25 },
    { stage: 2, durationDays: 2, workloadShift: 0.5 },
    { stage: 3, durationDays: 1, workloadShift: 0.25 },
] as const;

/** Seed "Week 3: Load Distribution" — the Databricks share of the workload in hybrid operation. */
export const hybridDatabricksShare = 0.6;

/**
 * Seed "Week 3: Load Distribution" — which workloads move to Databricks in hybrid operation
 * and which stay on the GCP H100s. At a Databricks share of 0 every one of them is on GCP.
 */
export const hybridWorkloadSplit = {
    databricks: ["standard-training", "batch-inference", "data-processing"],
    gcp: ["large-models", "real-time-inference", "custom-training"],
} as const;

export type HybridWorkload = (typeof hybridWorkloadSplit)[keyof typeof hybridWorkloadSplit][number];

/** Seed "Phase 1, Day 1-2" — autoscaling bounds of the A100 cluster. */
export const a100ClusterWorkers = { min: 2, max: 8 } as const;

/** Seed "Day 13-14: Performance Tuning" — storage settings. */
export const deltaStorage = {
    clusteringColumns: ["model_id", "version"],
    vacuumRetentionHours: 168,
} as const;

/**
 * Seed "Day 8-10" TBLPROPERTIES and "Day 13-14" vacuum retention, as the properties every Delta
 * table carries: VACUUM must never remove files younger than the retention.
 */
export const deltaTableProperties = {
    "delta.autoOptimize.optimizeWrite": "true",
    "delta.autoOptimize.autoCompact": "true",
    "delta.deletedFileRetentionDuration": `interval ${deltaStorage.vacuumRetentionHours} hours`,
} as const;

/** The phases of the transition plan (seed Phase 0–3); "stable state" is phase 3 with every gate met. */
export const phases = [
    { phase: 0, name: "Pre-transition", seed: "Phase 0: Pre-Transition" },
    { phase: 1, name: "Databricks setup", seed: "Phase 1: Initial Databricks Setup (Week 1)" },
    { phase: 2, name: "Workload migration", seed: "Phase 2: Workload Migration (Week 2)" },
    { phase: 3, name: "Hybrid operation", seed: "Phase 3: Hybrid Operation (Week 3-4)" },
] as const;

/** A phase's number; the program deploys exactly the phases listed above (stacks/phases/registry.ts). */
export type Phase = (typeof phases)[number]["phase"];
/** The last phase: a stack's `migration:phase` runs from 0 to it. */
export const maxPhase: Phase = phases[phases.length - 1].phase;

/**
 * From which phase each capability of the plan applies. The program, the pack, the lifecycle
 * tools and the config rules read these names instead of a phase number.
 */
export const phaseCapabilities = {
    /** Phase 0: today's GCP setup, the baseline every cost ratio and gate is measured against. */
    gcpBaseline: 0,
    /** The Databricks workspace, storage and A100 clusters exist (seed "Phase 1"); its config keys are required. */
    databricks: 1,
    /** The first benchmark suite runs (seed "Phase 1, Day 6-7"): leaving this phase is the first promotion a gate judges. */
    promotionGate: 1,
    /** The data migration and training jobs move to Databricks (seed "Phase 2"); the migration source is required. */
    workloadMigration: 2,
    /** Hybrid operation (seed "Phase 3"): the workload distribution, the custom metrics and unified monitoring. */
    hybrid: 3,
    /** The unified monitoring dashboard and alerts across both platforms (DESIGN "Phases"). */
    unifiedMonitoring: 3,
} as const satisfies Record<string, Phase>;
