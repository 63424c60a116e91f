/**
 * Phase 2, workload migration (seed "Phase 2: Workload Migration (Week 2)"): the Delta tables
 * (`models` with the seed's properties, `cost_metrics`, the migrated and prepared training
 * data), read access to the GCP-side data and
 * the job that copies it into Delta (Day 8-10), the hourly `model_training` workflow exactly
 * as the seed writes it (Day 11-12) with the tuned clusters (Day 13-14), and the daily
 * storage maintenance that OPTIMIZEs and VACUUMs at the seed's 168-hour retention.
 */
import { gpuClusterSpec, photonClusterSpec } from "../../domain/databricks/clusterSpec";
import { DeltaTable } from "../../components/databricks/deltaTable";
import { NotebookJob } from "../../components/databricks/notebookJob";
import { NotebookSet, notebooksDir } from "../../components/databricks/notebookSet";
import { SourceDataAccess } from "../../components/databricks/sourceDataAccess";
import {
    costMetricsTable,
    modelsTable,
    TableDefinition,
    trainingExamplesTable,
    trainingFeaturesTable,
} from "../../domain/databricks/tableDefinitions";
import { deltaStorage } from "../../domain/targets";
import { PhaseContext } from "./context";
import { jobIdentity, libraryImportPath, metricsParameters, metricsWriter, Phase1Data, trainingClusterGpus, trainingClusterWorkers, trainingSnapshotVolume, workspaceLayout } from "./phase1";

/** Seed Day 11-12 workflow `model_training`: hourly, at minute 0, in UTC. */
export const modelTrainingSchedule = { quartzCronExpression: "0 0 * * * ?", timezoneId: "UTC" } as const;
/** Daily at 03:00 UTC, between training runs' busiest hours and the cost export. */
export const maintenanceSchedule = { quartzCronExpression: "0 0 3 * * ?", timezoneId: "UTC" } as const;

const schemaTable = (t: TableDefinition) => `${t.schema}.${t.name}`;

/** Phase 2's data layer (kept once created): the source data access and the Delta tables. */
export interface Phase2Data {
    source: SourceDataAccess;
    tables: { models: DeltaTable; costMetrics: DeltaTable; trainingExamples: DeltaTable; trainingFeatures: DeltaTable };
}

/** Phase 2's compute: the notebooks and the jobs, removed on a rollback below phase 2. */
export interface Phase2Compute {
    notebooks: NotebookSet;
    jobs: { modelTraining: NotebookJob; dataMigration: NotebookJob; maintenance: NotebookJob };
}

export function phase2Data(ctx: PhaseContext, p1: Phase1Data): Phase2Data {
    const { config } = ctx;
    const db = config.databricks;
    const inWorkspace = { providers: [p1.providers.workspace] };
    const catalog = p1.storage.catalog.name;

    const source = new SourceDataAccess(
        "migration-source",
        {
            sourceUri: db.migrationSource!,
            locationName: `${p1.names.catalog}_migration_source`,
            credentialName: p1.storage.credential.name,
            credentialServiceAccount: p1.storage.credential.databricksGcpServiceAccount.email,
            readers: [p1.access.roles.jobsRunAs],
        },
        ctx.gcpOptions({ providers: [p1.providers.workspace] }),
    );

    const table = (name: string, definition: TableDefinition) =>
        new DeltaTable(
            name,
            {
                catalog,
                schema: p1.storage.schemas[definition.schema].name,
                definition,
                warehouseId: p1.warehouse.warehouseId,
            },
            inWorkspace,
        );
    const tables = {
        models: table("models", modelsTable),
        costMetrics: table("cost-metrics", costMetricsTable),
        trainingExamples: table("training-examples", trainingExamplesTable),
        trainingFeatures: table("training-features", trainingFeaturesTable),
    };
    return { source, tables };
}

export function phase2Compute(ctx: PhaseContext, p1: Phase1Data, data: Phase2Data): Phase2Compute {
    const { config } = ctx;
    const db = config.databricks;
    const phase = 2;
    const inWorkspace = { providers: [p1.providers.workspace] };
    // Jobs run as the service principal: it must be assigned to the workspace first.
    const afterAssignments = { ...inWorkspace, dependsOn: p1.access.assignments };
    const identity = jobIdentity(p1.access.roles);
    const emails = config.costMonitoring.notificationEmails;
    const catalog = p1.storage.catalog.name;
    const { source } = data;

    const nb = workspaceLayout.notebooks;
    const notebooks = new NotebookSet(
        "phase2-notebooks",
        {
            sourceDir: notebooksDir,
            notebooks: [
                { file: "data_prep.py", path: nb.dataPrep },
                { file: "training.py", path: nb.training },
                { file: "migrate_data.py", path: nb.migrateData },
                { file: "maintenance.sql", path: nb.maintenance },
            ],
        },
        inWorkspace,
    );

    // Seed Day 13-14 `photon_enabled`: on the CPU data-preparation cluster only.
    const dataPrepCluster = {
        spec: photonClusterSpec({
            sparkVersion: db.dataPrep.sparkVersion,
            nodeType: db.dataPrep.nodeType,
            customTags: ctx.labels(phase, "data-processing"),
        }),
        autoscale: { minWorkers: ctx.capacity.dataPrepWorkers.min, maxWorkers: ctx.capacity.dataPrepWorkers.max },
    };
    // Fixed size: the training runs on every worker GPU at once (TorchDistributor), so it uses what it pays for.
    const trainingCluster = {
        spec: gpuClusterSpec({
            sparkVersion: db.a100.sparkVersion,
            nodeType: db.a100.nodeType,
            gpuMemoryFraction: db.a100.gpuMemoryFraction,
            customTags: ctx.labels(phase, "training"),
            googleServiceAccount: metricsWriter(ctx)?.serviceAccount,
        }),
        numWorkers: trainingClusterWorkers(ctx),
    };

    const modelTraining = new NotebookJob(
        "model-training",
        {
            jobName: "model_training",
            description: "Seed Day 11-12 workflow: hourly data_prep → training",
            jobClusters: { data_prep: dataPrepCluster, training: trainingCluster },
            tasks: [
                {
                    key: "data_prep",
                    description: "Clean and deduplicate the migrated examples into training features",
                    notebookPath: notebooks.pathOf(nb.dataPrep),
                    jobCluster: "data_prep",
                    timeoutSeconds: 20 * 60,
                    maxRetries: 2,
                },
                {
                    key: "training",
                    description: "Train on every worker's A100 (TorchDistributor) with MLflow tracking, register the model, record it in models",
                    notebookPath: notebooks.pathOf(nb.training),
                    dependsOn: ["data_prep"],
                    jobCluster: "training",
                    timeoutSeconds: 35 * 60,
                    // Spot workers can be reclaimed mid-run: one retry, with the driver on demand.
                    maxRetries: 1,
                },
            ],
            parameters: {
                catalog,
                lib_path: libraryImportPath,
                source_table: schemaTable(trainingExamplesTable),
                features_table: schemaTable(trainingFeaturesTable),
                models_table: schemaTable(modelsTable),
                model_name: "training_model",
                gpus: String(trainingClusterGpus(ctx)),
                snapshot_volume: trainingSnapshotVolume,
                ...metricsParameters(ctx),
            },
            // Standard training and data processing moved to Databricks: paused at a workload share of 0.
            schedule: { ...modelTrainingSchedule, paused: db.schedulesPaused || !ctx.capacity.movedSchedulesRun },
            failureEmails: emails,
            // Under the hour, so an hourly run is finished (or stopped) before the next is due.
            timeoutSeconds: 55 * 60,
            tags: ctx.labels(phase, "training"),
            ...identity,
        },
        afterAssignments,
    );

    const dataMigration = new NotebookJob(
        "data-migration",
        {
            jobName: "data_migration",
            description: "Seed Day 8-10: copy the GCP-side data into Delta (COPY INTO: re-runs load only new files)",
            jobClusters: { migrate: dataPrepCluster },
            tasks: [
                {
                    key: "migrate_data",
                    description: "COPY INTO raw.training_examples from the read-only source location",
                    notebookPath: notebooks.pathOf(nb.migrateData),
                    jobCluster: "migrate",
                    timeoutSeconds: 4 * 3600,
                    maxRetries: 2,
                },
            ],
            parameters: {
                catalog,
                lib_path: libraryImportPath,
                source_uri: source.location.url,
                file_format: "PARQUET",
                target_table: schemaTable(trainingExamplesTable),
            },
            failureEmails: emails,
            timeoutSeconds: 4 * 3600,
            tags: ctx.labels(phase, "data-processing"),
            ...identity,
        },
        afterAssignments,
    );

    const maintenance = new NotebookJob(
        "delta-maintenance",
        {
            jobName: "delta_maintenance",
            description: `Daily OPTIMIZE (liquid clustering) and VACUUM RETAIN ${deltaStorage.vacuumRetentionHours} HOURS`,
            tasks: [
                {
                    key: "maintenance",
                    description: "OPTIMIZE and VACUUM the catalog's Delta tables",
                    notebookPath: notebooks.pathOf(nb.maintenance),
                    warehouseId: p1.warehouse.warehouseId,
                    timeoutSeconds: 2 * 3600,
                    maxRetries: 1,
                },
            ],
            parameters: { catalog },
            schedule: { ...maintenanceSchedule, paused: db.schedulesPaused },
            failureEmails: emails,
            timeoutSeconds: 2 * 3600,
            tags: ctx.labels(phase, "storage"),
            ...identity,
        },
        afterAssignments,
    );

    return { notebooks, jobs: { modelTraining, dataMigration, maintenance } };
}
