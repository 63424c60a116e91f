/**
 * The program. `migration:phase` selects how far the stack has moved; phases are cumulative,
 * so phase N deploys phase 0..N. Config is validated before any resource is created.
 *
 * Exported as a function: Pulumi's Node.js host calls it and uses the result as the stack's
 * outputs, and the offline engine runs it the same way.
 */
import { loadConfig } from "./config";
import { checkDeployedTableSchemas, dataPhaseOutput, readOwnSnapshot, retainedDataPhase } from "./dataLayer";
import { createContext } from "./phases/context";
import { phase0 } from "./phases/phase0";
import { phase1Compute, phase1Data } from "./phases/phase1";
import { phase2Compute, phase2Data } from "./phases/phase2";
import { phase3Compute, phase3Data } from "./phases/phase3";

/** Phases this program can deploy; a stack configured beyond them is refused, not half-built. */
const implementedPhases = 4;

export = async () => {
    const config = loadConfig();
    if (config.phase >= implementedPhases) {
        throw new Error(
            `migration:phase = ${config.phase}: this program deploys phases 0 to ${implementedPhases - 1}`,
        );
    }
    // What the stack holds, whether the update that created it finished or not (stacks/dataLayer.ts).
    const snapshot = await readOwnSnapshot();
    checkDeployedTableSchemas(snapshot);
    const dataPhase = retainedDataPhase(config.phase, snapshot);
    const ctx = createContext(config);
    const baseline = phase0(ctx);
    // A phase's data layer stays once the stack holds any of it (dataPhase); its compute follows migration:phase.
    const d1 = dataPhase >= 1 ? phase1Data(ctx, baseline) : undefined;
    const c1 = d1 && config.phase >= 1 ? phase1Compute(ctx, d1) : undefined;
    const d2 = d1 && dataPhase >= 2 ? phase2Data(ctx, d1) : undefined;
    const c2 = d1 && d2 && config.phase >= 2 ? phase2Compute(ctx, d1, d2) : undefined;
    const d3 = d2 && dataPhase >= 3 ? phase3Data(ctx) : undefined;
    const c3 = d1 && d2 && d3 && config.phase >= 3 ? phase3Compute(ctx, baseline, d1, d2, d3) : undefined;

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
        performanceBaselineResults: baseline.performanceBaseline.resultsUri,
        ...(d1
            ? {
                  databricksWorkspaceUrl: d1.workspace.workspaceUrl,
                  databricksCatalog: d1.storage.catalog.name,
                  deltaBucket: d1.storage.bucket.name,
                  sqlWarehouseId: d1.warehouse.warehouseId,
              }
            : {}),
        ...(c1 ? { a100ClusterId: c1.a100.cluster.id, benchmarkJobId: c1.jobs.benchmark.job.id } : {}),
        ...(c2
            ? {
                  modelTrainingJobId: c2.jobs.modelTraining.job.id,
                  dataMigrationJobId: c2.jobs.dataMigration.job.id,
                  maintenanceJobId: c2.jobs.maintenance.job.id,
              }
            : {}),
        ...(c3
            ? {
                  databricksShare: config.workload.databricksShare,
                  monitoringDashboard: c3.monitoring.dashboard.id,
                  costTrackingJobId: c3.costTracking.job.job.id,
                  dailyCostQueryId: c3.costTracking.sql.queries["daily-cost-analysis"].id,
              }
            : {}),
    };
};
