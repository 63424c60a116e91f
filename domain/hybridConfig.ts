/**
 * Hybrid operation's config (phase 3): the workload distribution's input read from the stack's
 * keys, the sizes each phase deploys, and the rules that span keys (the capacity against both
 * platforms' minimums, the alert channels against phase 0's, the GCP spot target). Pure,
 * called by config.ts and the phases.
 */
import { AlertThresholds } from "./alertRules";
import { a100NodeTypes } from "./databricks/nodeTypes";
import { vcpusOfMachineType } from "./gcp/machineTypes";
import { NodeBounds } from "./gcp/spotSplit";
import { a100Accelerators, throughputRatio } from "./gpuThroughput";
import { costRules, phaseCapabilities } from "./targets";
import { distributeWorkload, distributionLimits, WorkloadDistribution, WorkloadDistributionInput } from "./workloadDistribution";
import type { ConfigProblem } from "./stackConfig";
import { h100MachineTypes, ParsedConfig } from "./configSchema";
import { a100ClusterGpuBudget } from "./databricksConfig";

/** What these rules read: the validated config (credentials, a secret, are not needed). */
type Config = Omit<ParsedConfig, "gcpCredentials">;

/** The phase that distributes the workload; before it, every resource keeps its configured size. */
export const hybridPhase = phaseCapabilities.hybrid;

/**
 * The training work of one GPU of each platform per H100 (domain/gpuThroughput.ts): the
 * A100's is the stack's measured figure when it records one (cost.training.measuredThroughput,
 * A100 per GKE GPU), else the table's.
 */
export function gpuWork(config: Config): { a100: number; h100: number } {
    const h100Type = h100MachineTypes[config.h100.machineType].accelerator;
    const h100 = throughputRatio(h100Type, "nvidia-h100-80gb").ratio;
    const a100Type = a100Accelerators[a100NodeTypes[config.databricks.a100.nodeType].variant];
    return { a100: Number((throughputRatio(a100Type, h100Type, config.cost.training.measuredThroughput).ratio * h100).toFixed(4)), h100 };
}

/** The capacity the share divides: as configured, or the configured maxima of both platforms (GPUs in H100-equivalents). */
export function workloadCapacity(config: Config): { gpus: number; dataVcpus: number } {
    const db = config.databricks;
    const work = gpuWork(config);
    return {
        gpus:
            config.workload.gpus ??
            Number(
                (
                    config.h100.maxNodes * h100MachineTypes[config.h100.machineType].count * work.h100 +
                    db.a100.maxWorkers * a100NodeTypes[db.a100.nodeType].gpus * work.a100
                ).toFixed(4),
            ),
        dataVcpus:
            config.workload.dataVcpus ??
            config.c4a.maxNodes * vcpusOfMachineType(config.c4a.machineType) + db.dataPrep.maxWorkers * vcpusOfMachineType(db.dataPrep.nodeType),
    };
}

export function workloadDistributionInput(config: Config): WorkloadDistributionInput {
    const db = config.databricks;
    const work = gpuWork(config);
    return {
        databricksShare: config.workload.databricksShare,
        ...workloadCapacity(config),
        // Each A100 cluster gets its share of the preemptible quota: they can all run at once.
        a100: { gpusPerNode: a100NodeTypes[db.a100.nodeType].gpus, perGpu: work.a100, minWorkers: db.a100.minWorkers, preemptibleGpuQuota: a100ClusterGpuBudget(config) },
        h100: {
            gpusPerNode: h100MachineTypes[config.h100.machineType].count,
            perGpu: work.h100,
            minNodes: config.h100.minNodes,
            maxNodes: config.h100.maxNodes,
            spotShare: config.h100.spotShare,
        },
        dataPrep: { vcpusPerNode: vcpusOfMachineType(db.dataPrep.nodeType), minWorkers: db.dataPrep.minWorkers },
        c4a: { vcpusPerNode: vcpusOfMachineType(config.c4a.machineType), minNodes: config.c4a.minNodes, maxNodes: config.c4a.maxNodes },
    };
}

/** The autoscaling bounds every phase deploys, and whether the moved workloads' schedules run. */
export interface StackCapacity {
    h100Nodes: NodeBounds;
    c4aNodes: NodeBounds;
    a100Workers: NodeBounds;
    dataPrepWorkers: NodeBounds;
    /** False pauses the schedules of the workloads that moved to Databricks (standard training, data processing). */
    movedSchedulesRun: boolean;
    /** The distribution, from the hybrid phase on. */
    distribution?: WorkloadDistribution;
}

/**
 * Phases 0-2 deploy the configured sizes. From phase 3 the distribution resizes resources of
 * the earlier phases (node pools, clusters, job clusters): an update in the promote preview.
 */
export function stackCapacity(config: Config): StackCapacity {
    const db = config.databricks;
    if (config.phase < hybridPhase) {
        return {
            h100Nodes: { min: config.h100.minNodes, max: config.h100.maxNodes },
            c4aNodes: { min: config.c4a.minNodes, max: config.c4a.maxNodes },
            a100Workers: { min: db.a100.minWorkers, max: db.a100.maxWorkers },
            dataPrepWorkers: { min: db.dataPrep.minWorkers, max: db.dataPrep.maxWorkers },
            movedSchedulesRun: true,
        };
    }
    const distribution = distributeWorkload(workloadDistributionInput(config));
    return {
        h100Nodes: distribution.gcp.h100Nodes,
        c4aNodes: distribution.gcp.c4aNodes,
        a100Workers: distribution.databricks.a100Workers,
        dataPrepWorkers: distribution.databricks.dataPrepWorkers,
        movedSchedulesRun: distribution.movedSchedulesRun,
        distribution,
    };
}

/** The notification channels (by e-mail) the phase-3 alerts notify: as configured, or all of phase 0's. */
export function alertChannelEmails(config: Config): string[] {
    return config.monitoring.channels ?? [...config.costMonitoring.notificationEmails];
}

/** The alert thresholds: the seed's values unless the stack made them stricter. */
export function alertThresholds(config: Config): AlertThresholds {
    return {
        gpuUtilizationFloor: config.monitoring.gpuUtilizationFloor,
        dbuUtilizationFloor: config.monitoring.dbuUtilizationFloor,
        performanceDegradation: config.monitoring.performanceDegradation,
        dailyCostUsd: config.costMonitoring.dailyCostAlertUsd,
    };
}

export function hybridConfigProblems(config: Config): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const known = config.costMonitoring.notificationEmails;
    (config.monitoring.channels ?? []).forEach((email, i) => {
        if (!known.includes(email)) {
            problems.push({
                key: `migration:monitoring.channels[${i}]`,
                value: JSON.stringify(email),
                accepted: `an address of migration:costMonitoring.notificationEmails (${known.join(", ")}): alerts notify the channels phase 0 creates`,
            });
        }
    });

    let input: WorkloadDistributionInput | undefined;
    let limits;
    try {
        input = workloadDistributionInput(config);
        limits = distributionLimits(input);
    } catch {
        // Bounds that cannot hold any distribution (min ≥ max, the A100 quota below the
        // cluster's minimum) are reported by the rules of their own keys.
    }
    if (input && limits) {
        const explain = {
            gpus:
                `the A100 minimum (${limits.a100Workers.floor} × ${input.a100.gpusPerNode} GPUs × ${input.a100.perGpu} of an H100) and the H100 minimum ` +
                `(${limits.h100Nodes.floor} × ${input.h100.gpusPerNode} GPUs), in H100-equivalents`,
            dataVcpus: `the data-prep minimum (${limits.dataPrepWorkers.floor} × ${input.dataPrep.vcpusPerNode} vCPUs) and the C4A minimum (${limits.c4aNodes.floor} × ${input.c4a.vcpusPerNode} vCPUs)`,
        };
        for (const unit of ["gpus", "dataVcpus"] as const) {
            if (input[unit] < limits.minimumCapacity[unit]) {
                problems.push({
                    key: `migration:workload.${unit}`,
                    value: config.workload[unit] === undefined ? `(not set: ${input[unit]} from the configured maxima)` : String(input[unit]),
                    accepted: `${unit === "gpus" ? "a capacity" : "an integer"} ≥ ${limits.minimumCapacity[unit]}, room for both platforms at once: ${explain[unit]}`,
                });
            }
        }
    }

    if (config.phase >= hybridPhase && config.h100.spotShare < costRules.gcp.spotInstanceTarget) {
        problems.push({
            key: "migration:h100.spotShare",
            value: String(config.h100.spotShare),
            accepted: `a number from ${costRules.gcp.spotInstanceTarget} to 1 from phase ${hybridPhase}: the seed's GCP spot target (cost_rules.gcp.spot_instance_target)`,
        });
    }
    return problems;
}
