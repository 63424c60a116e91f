/**
 * Phase 1, Databricks setup (seed "Phase 1: Initial Databricks Setup (Week 1)"): the
 * workspace in the project's VPC, Unity Catalog storage on a GCS bucket, the A100 cluster
 * and its policy, the serverless SQL warehouse, and the benchmark suite (Day 6-7) with its
 * `benchmark_results` table. GCP keeps serving everything; nothing moves yet.
 */
import * as databricks from "@pulumi/databricks";
import * as pulumi from "@pulumi/pulumi";
import { accessControls, WorkspaceRoles } from "../../domain/databricks/access";
import { A100Cluster } from "../../components/databricks/a100Cluster";
import { gpuClusterSpec } from "../../domain/databricks/clusterSpec";
import { DeltaStorage } from "../../components/databricks/deltaStorage";
import { DeltaTable } from "../../components/databricks/deltaTable";
import { SourceDataAccess } from "../../components/databricks/sourceDataAccess";
import { NotebookJob } from "../../components/databricks/notebookJob";
import { NotebookSet, notebooksDir } from "../../components/databricks/notebookSet";
import { SqlWarehouse } from "../../components/databricks/sqlWarehouse";
import { benchmarkResultsTable } from "../../domain/databricks/tableDefinitions";
import { Workspace } from "../../components/databricks/workspace";
import { WorkspaceAccess } from "../../components/databricks/workspaceAccess";
import { customMetricPrefix } from "../../domain/customMetrics";
import { a100NodeTypes } from "../../domain/databricks/nodeTypes";
import { successGates } from "../../domain/targets";
import { workspaceRoles } from "../../domain/databricksConfig";
import { hybridPhase } from "../../domain/hybridConfig";
import { accountProvider, workspaceProvider } from "./databricksProviders";
import { PhaseContext } from "./context";
import { libraryDir, libraryModules } from "./library";
import { Phase0 } from "./phase0";

/** Where the notebooks and their shared Python package live in the workspace. */
export const workspaceLayout = {
    library: "/Shared/lib",
    notebooks: {
        benchmarkSuite: "/Shared/benchmark_suite",
        dataPrep: "/Shared/data_prep",
        training: "/Shared/training",
        migrateData: "/Shared/migrate_data",
        maintenance: "/Shared/maintenance",
    },
} as const;

/** What the notebooks add to `sys.path` to import `ml_migration` (workspace files live under /Workspace). */
export const libraryImportPath = `/Workspace${workspaceLayout.library}`;

/** The catalog's schemas: raw migrated data, prepared features, models and benchmarks, costs. */
export const schemas = {
    raw: "Data copied as-is from the GCP side",
    curated: "Prepared training features",
    ml: "Models and benchmark results",
    ops: "Operational data: cost metrics",
};

/**
 * Workers of the A100 job clusters that train, and of the benchmark suite's. Fixed, not
 * autoscaled: a distributed run has a fixed number of processes (TorchDistributor starts one
 * per worker GPU and waits for all of them), so an autoscaled worker would be paid for and
 * idle. The suite runs at the same size, so its deployment-scope results describe the
 * capacity one training run gets; the cost model prices the same workers.
 */
export function trainingClusterWorkers(ctx: PhaseContext): number {
    return ctx.capacity.a100Workers.max;
}

/** GPUs of the training (and benchmark) job cluster's workers: one process each. */
export function trainingClusterGpus(ctx: PhaseContext): number {
    return trainingClusterWorkers(ctx) * a100NodeTypes[ctx.config.databricks.a100.nodeType].gpus;
}

/** The volume (schema.volume) the distributed training's processes read their rows from. */
export const trainingSnapshotVolume = "curated.training_snapshots";

/** The Google service account the training and benchmark clusters write custom metrics as. */
export const metricsWriterAccountId = "ml-metrics-writer";

/**
 * Where the training job and the suite write their custom metrics: from the hybrid phase on,
 * which declares the descriptors (a write before would create them undeclared) and the
 * identity that may write. Before it, none: the notebooks skip the write and say so.
 */
export function metricsWriter(ctx: PhaseContext): { project: string; serviceAccount: string; prefix: string } | undefined {
    if (ctx.config.phase < hybridPhase) return undefined;
    return { project: ctx.config.gcpProject, serviceAccount: `${metricsWriterAccountId}@${ctx.config.gcpProject}.iam.gserviceaccount.com`, prefix: customMetricPrefix };
}

/** The job parameters that tell a notebook where to write its metrics ("" before the hybrid phase). */
export function metricsParameters(ctx: PhaseContext): { metric_prefix: string; metrics_project: string } {
    const writer = metricsWriter(ctx);
    return { metric_prefix: customMetricPrefix, metrics_project: writer?.project ?? "" };
}

export interface DatabricksNames {
    workspace: string;
    catalog: string;
    bucket: string;
}

export function databricksNames(ctx: PhaseContext): DatabricksNames {
    const { config } = ctx;
    return {
        workspace: config.databricks.workspaceName ?? `ml-${config.environment}`.replace(/_/g, "-"),
        catalog: config.databricks.catalog ?? `ml_${config.environment}`.replace(/-/g, "_"),
        bucket: config.databricks.bucketName ?? `${config.gcpProject}-delta-lake`,
    };
}

/**
 * Phase 1's data layer: what holds data or history and stays once created (see
 * stacks/dataLayer.ts) — the workspace (MLflow runs, job history) and who is assigned to it,
 * the Delta Lake storage and Unity Catalog objects, the SQL warehouse the tables are managed
 * through, and the `benchmark_results` table.
 */
export interface Phase1Data {
    providers: { account: databricks.Provider; workspace: databricks.Provider };
    names: DatabricksNames;
    workspace: Workspace;
    /** The principals the stack config names, assigned to the workspace; what names one waits for `access.assignments`. */
    access: WorkspaceAccess;
    storage: DeltaStorage;
    /** The GCP baseline's result files (phase 0's bucket), read in place by the benchmark suite. */
    gcpBaselineResults: SourceDataAccess;
    warehouse: SqlWarehouse;
    tables: { benchmarkResults: DeltaTable };
}

/** Phase 1's compute: removed when the stack rolls back below phase 1. */
export interface Phase1Compute {
    a100: A100Cluster;
    notebooks: NotebookSet;
    jobs: { benchmark: NotebookJob };
}

export function phase1Data(ctx: PhaseContext, baseline: Phase0): Phase1Data {
    const { config } = ctx;
    const db = config.databricks;
    const phase = 1;
    const names = databricksNames(ctx);

    const account = accountProvider(config);
    const workspace = new Workspace(
        "ml-workspace",
        {
            accountId: db.accountId!,
            workspaceName: names.workspace,
            project: config.gcpProject,
            region: config.region,
            networkId: baseline.network.network.id,
            networkName: baseline.network.network.name,
            subnetCidr: db.subnetCidr,
            metastoreId: db.metastoreId!,
            egress: baseline.network.nat,
        },
        ctx.gcpOptions({ providers: [account] }),
    );
    const ws = workspaceProvider(config, workspace);
    const inWorkspace: pulumi.ComponentResourceOptions = { providers: [ws] };
    const roles = workspaceRoles(config);
    const access = new WorkspaceAccess("workspace-access", { roles }, inWorkspace);

    const storage = new DeltaStorage(
        "delta",
        {
            region: config.region,
            bucketName: names.bucket,
            catalog: names.catalog,
            schemas,
            volumes: [
                { schema: "raw", name: "landing", comment: "Files as they arrive from the GCP side, before COPY INTO" },
                // The seed's /mnt/models, as a Unity Catalog volume the GCP side can also read.
                { schema: "ml", name: "model_artifacts", comment: "Model artifacts shared with the GCP serving side" },
                { schema: trainingSnapshotVolume.split(".")[0], name: trainingSnapshotVolume.split(".")[1], comment: "Parquet snapshots the distributed training processes read, one folder a run, removed after it" },
            ],
            principals: [...new Set([roles.clusterUser, roles.jobsRunAs])],
            readers: [...roles.operators, ...roles.viewers],
            labels: ctx.labels(phase, "storage"),
        },
        ctx.gcpOptions({ providers: [ws] }),
    );

    const warehouse = new SqlWarehouse(
        "sql",
        {
            warehouseName: `ml-sql-${config.environment}`,
            clusterSize: db.warehouse.clusterSize,
            autoStopMinutes: db.warehouse.autoStopMinutes,
            maxClusters: db.warehouse.maxClusters,
            tags: ctx.labels(phase, "data-processing"),
            access: accessControls("warehouse", roles),
        },
        { ...inWorkspace, dependsOn: access.assignments },
    );

    const benchmarkResults = new DeltaTable(
        "benchmark-results",
        {
            catalog: storage.catalog.name,
            schema: storage.schemas[benchmarkResultsTable.schema].name,
            definition: benchmarkResultsTable,
            warehouseId: warehouse.warehouseId,
        },
        inWorkspace,
    );

    const gcpBaselineResults = new SourceDataAccess(
        "gcp-baseline-results",
        {
            sourceUri: baseline.performanceBaseline.resultsUri,
            locationName: `${names.catalog}_gcp_baseline`,
            credentialName: storage.credential.name,
            credentialServiceAccount: storage.credential.databricksGcpServiceAccount.email,
            readers: [roles.jobsRunAs],
            bucketDependsOn: [baseline.performanceBaseline.bucket],
            comment: "The GCP baseline's benchmark results, loaded by the benchmark suite",
        },
        ctx.gcpOptions({ providers: [ws] }),
    );

    return { providers: { account, workspace: ws }, names, workspace, access, storage, gcpBaselineResults, warehouse, tables: { benchmarkResults } };
}

export function phase1Compute(ctx: PhaseContext, data: Phase1Data): Phase1Compute {
    const { config } = ctx;
    const db = config.databricks;
    const phase = 1;
    const { storage } = data;
    const roles = data.access.roles;
    const afterAssignments: pulumi.ComponentResourceOptions = { providers: [data.providers.workspace], dependsOn: data.access.assignments };

    const a100 = new A100Cluster(
        "a100",
        {
            clusterName: `a100-training-${config.environment}`,
            policyName: `a100-training-${config.environment}`,
            sparkVersion: db.a100.sparkVersion,
            nodeType: db.a100.nodeType,
            minWorkers: ctx.capacity.a100Workers.min,
            maxWorkers: ctx.capacity.a100Workers.max,
            autoterminationMinutes: db.a100.autoterminationMinutes,
            gpuMemoryFraction: db.a100.gpuMemoryFraction,
            singleUserName: roles.clusterUser,
            customTags: ctx.labels(phase, "training"),
            access: { cluster: accessControls("a100Cluster", roles), policy: accessControls("a100Policy", roles) },
        },
        afterAssignments,
    );

    const notebooks = new NotebookSet(
        "phase1-notebooks",
        {
            sourceDir: notebooksDir,
            notebooks: [{ file: "benchmark_suite.py", path: workspaceLayout.notebooks.benchmarkSuite }],
            files: libraryModules.map((module) => ({
                file: `${libraryDir}/${module}`,
                path: `${workspaceLayout.library}/ml_migration/${module}`,
            })),
        },
        { providers: [data.providers.workspace] },
    );

    // Benchmarks run on a fixed-size A100 job cluster, the training size: autoscaling would blur throughput.
    const benchmarkWorkers = trainingClusterWorkers(ctx);
    const writer = metricsWriter(ctx);
    const benchmark = new NotebookJob(
        "benchmark-suite",
        {
            jobName: "benchmark_suite",
            description: "Plan Day 6-7: ResNet-50 and BERT-base training and inference benchmarks against the GCP baseline; results in benchmark_results",
            jobClusters: {
                a100: {
                    spec: gpuClusterSpec({
                        sparkVersion: db.a100.sparkVersion,
                        nodeType: db.a100.nodeType,
                        gpuMemoryFraction: db.a100.gpuMemoryFraction,
                        customTags: ctx.labels(phase, "benchmark"),
                        googleServiceAccount: writer?.serviceAccount,
                    }),
                    numWorkers: benchmarkWorkers,
                },
            },
            tasks: [
                {
                    key: "benchmark_suite",
                    description: "training small/large/distributed/time to target, inference single/batch/streaming",
                    notebookPath: notebooks.pathOf(workspaceLayout.notebooks.benchmarkSuite),
                    jobCluster: "a100",
                    timeoutSeconds: 2 * 3600,
                    maxRetries: 1,
                },
            ],
            parameters: {
                catalog: storage.catalog.name,
                lib_path: libraryImportPath,
                results_table: `${benchmarkResultsTable.schema}.${benchmarkResultsTable.name}`,
                gates: JSON.stringify(Object.fromEntries(Object.entries(successGates).map(([gate, g]) => [gate, { op: g.op, ratio: g.ratio }]))),
                node_type: db.a100.nodeType,
                workers: String(benchmarkWorkers),
                gpus: String(trainingClusterGpus(ctx)),
                runtime: `Databricks Runtime ${db.a100.sparkVersion}`,
                // The GCP baseline's result files (phase 0's PerformanceBaseline), read through a read-only external location.
                baseline_uri: data.gcpBaselineResults.url,
                ...metricsParameters(ctx),
            },
            failureEmails: config.costMonitoring.notificationEmails,
            timeoutSeconds: 2 * 3600,
            tags: ctx.labels(phase, "benchmark"),
            ...jobIdentity(roles),
        },
        afterAssignments,
    );

    return { a100, notebooks, jobs: { benchmark } };
}

/** Who every job runs as and who may use it and its clusters' policies (domain/databricks/access.ts). */
export function jobIdentity(roles: WorkspaceRoles): { runAs: string; access: ReturnType<typeof accessControls>; clusterPolicyAccess: ReturnType<typeof accessControls> } {
    return { runAs: roles.jobsRunAs, access: accessControls("job", roles), clusterPolicyAccess: accessControls("jobClusterPolicy", roles) };
}
