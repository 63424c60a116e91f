/**
 * The program's phases, in order (domain/targets.ts lists them): each one's data layer and
 * compute, what each is built from, and the stack outputs each contributes. stacks/index.ts
 * runs them with stacks/phases/runner.ts.
 */
import { Phase, phases } from "../../domain/targets";
import { PhaseContext } from "./context";
import { Phase0, phase0 } from "./phase0";
import { Phase1Compute, phase1Compute, Phase1Data, phase1Data } from "./phase1";
import { Phase2Compute, phase2Compute, Phase2Data, phase2Data } from "./phase2";
import { Phase3Compute, phase3Compute, Phase3Data, phase3Data } from "./phase3";
import { partBuilder, PhaseEntry } from "./runner";

/** Every part a phase can deploy, by the name later phases receive it under. */
export interface DeployedParts {
    /** Phase 0, the GCP setup: always deployed. */
    baseline: Phase0;
    data1: Phase1Data;
    compute1: Phase1Compute;
    data2: Phase2Data;
    compute2: Phase2Compute;
    data3: Phase3Data;
    compute3: Phase3Compute;
}

const part = partBuilder<DeployedParts, PhaseContext>();

export interface ProgramPhase extends PhaseEntry<DeployedParts, PhaseContext> {
    readonly phase: Phase;
}

export const phaseRegistry: readonly ProgramPhase[] = [
    {
        phase: 0,
        // Phase 0 is deployed at every phase: its part is a data part, and the data phase is never below 0.
        data: part({
            name: "baseline",
            needs: [],
            deploy: (ctx) => phase0(ctx),
            outputs: (baseline) => ({
                network: baseline.network.network.name,
                subnet: baseline.network.subnet.name,
                gkeCluster: baseline.gke.cluster.name,
                h100NodePools: Object.values(baseline.h100).map((pool) => pool.nodePool.name),
                c4aNodePool: baseline.c4a.nodePool.name,
                billingExportDataset: baseline.costMonitoring.billingExport.datasetId,
                budgetAlertsTopic: baseline.costMonitoring.alertsTopic.id,
                performanceBaselineResults: baseline.performanceBaseline.resultsUri,
            }),
        }),
    },
    {
        phase: 1,
        data: part({
            name: "data1",
            needs: ["baseline"],
            deploy: (ctx, { baseline }) => phase1Data(ctx, baseline),
            outputs: (data1) => ({
                databricksWorkspaceUrl: data1.workspace.workspaceUrl,
                databricksCatalog: data1.storage.catalog.name,
                deltaBucket: data1.storage.bucket.name,
                sqlWarehouseId: data1.warehouse.warehouseId,
            }),
        }),
        compute: part({
            name: "compute1",
            needs: ["data1"],
            deploy: (ctx, { data1 }) => phase1Compute(ctx, data1),
            outputs: (compute1) => ({ a100ClusterId: compute1.a100.cluster.id, benchmarkJobId: compute1.jobs.benchmark.job.id }),
        }),
    },
    {
        phase: 2,
        data: part({
            name: "data2",
            needs: ["data1"],
            deploy: (ctx, { data1 }) => phase2Data(ctx, data1),
        }),
        compute: part({
            name: "compute2",
            needs: ["data1", "data2"],
            deploy: (ctx, { data1, data2 }) => phase2Compute(ctx, data1, data2),
            outputs: (compute2) => ({
                modelTrainingJobId: compute2.jobs.modelTraining.job.id,
                dataMigrationJobId: compute2.jobs.dataMigration.job.id,
                maintenanceJobId: compute2.jobs.maintenance.job.id,
            }),
        }),
    },
    {
        phase: 3,
        // Built from nothing earlier; like every data layer, it stands on the data layers before it (runner.ts).
        data: part({
            name: "data3",
            needs: [],
            deploy: (ctx) => phase3Data(ctx),
        }),
        compute: part({
            name: "compute3",
            needs: ["baseline", "data1", "data2", "data3"],
            deploy: (ctx, { baseline, data1, data2, data3 }) => phase3Compute(ctx, baseline, data1, data2, data3),
            outputs: (compute3, ctx) => ({
                databricksShare: ctx.config.workload.databricksShare,
                monitoringDashboard: compute3.monitoring.dashboard.id,
                costTrackingJobId: compute3.costTracking.job.job.id,
                dailyCostQueryId: compute3.costTracking.sql.queries["daily-cost-analysis"].id,
            }),
        }),
    },
];

// The registry deploys exactly the plan's phases: domain/targets.ts is the one list of them.
const registered = phaseRegistry.map((entry) => entry.phase).join(",");
if (registered !== phases.map((p) => p.phase).join(",")) {
    throw new Error(`stacks/phases/registry.ts deploys phases ${registered}; domain/targets.ts lists ${phases.map((p) => p.phase).join(",")}`);
}
