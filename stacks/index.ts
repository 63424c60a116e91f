/**
 * The program. `migration:phase` selects how far the stack has moved; phases are cumulative,
 * so phase N deploys phase 0..N. Config is validated before any resource is created.
 *
 * Exported as a function: Pulumi's Node.js host calls it and uses the result as the stack's
 * outputs, and the offline engine runs it the same way.
 */
import { loadConfig } from "./config";
import { dataPhaseOutput, retainedDataPhase } from "./dataLayer";
import { createContext } from "./phases/context";
import { phase0 } from "./phases/phase0";
import { phase1 } from "./phases/phase1";
import { phase2 } from "./phases/phase2";

/** Phases this program can deploy; a stack configured beyond them is refused, not half-built. */
const implementedPhases = 3;

export = async () => {
    const config = loadConfig();
    if (config.phase >= implementedPhases) {
        throw new Error(
            `migration:phase = ${config.phase}: this program deploys phases 0 to ${implementedPhases - 1}`,
        );
    }
    const dataPhase = await retainedDataPhase(config.phase);
    const ctx = createContext(config);
    const baseline = phase0(ctx);
    const p1 = config.phase >= 1 ? phase1(ctx, baseline) : undefined;
    const p2 = p1 && config.phase >= 2 ? phase2(ctx, p1) : undefined;

    return {
        phase: config.phase,
        [dataPhaseOutput]: dataPhase,
        network: baseline.network.network.name,
        subnet: baseline.network.subnet.name,
        gkeCluster: baseline.gke.cluster.name,
        h100NodePools: Object.values(baseline.h100).map((pool) => pool.nodePool.name),
        c4aNodePool: baseline.c4a.nodePool.name,
        billingExportDataset: baseline.costMonitoring.billingExport.datasetId,
        budgetAlertsTopic: baseline.costMonitoring.alertsTopic.id,
        ...(p1
            ? {
                  databricksWorkspaceUrl: p1.workspace.workspaceUrl,
                  databricksCatalog: p1.storage.catalog.name,
                  deltaBucket: p1.storage.bucket.name,
                  a100ClusterId: p1.a100.cluster.id,
                  sqlWarehouseId: p1.warehouse.warehouseId,
                  benchmarkJobId: p1.jobs.benchmark.job.id,
              }
            : {}),
        ...(p2
            ? {
                  modelTrainingJobId: p2.jobs.modelTraining.job.id,
                  dataMigrationJobId: p2.jobs.dataMigration.job.id,
                  maintenanceJobId: p2.jobs.maintenance.job.id,
              }
            : {}),
    };
};
