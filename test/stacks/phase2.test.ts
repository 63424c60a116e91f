import { configuredA100Demand } from "../../domain/databricksConfig";
import { beforeAll, describe, expect, it } from "vitest";
import { labelProperty, requiredLabelKeys } from "../../domain/labels";
import { deltaStorage } from "../../domain/targets";
import { libraryModules } from "../../stacks/phases/library";
import { countByType, programResources, ResourceGraph } from "../../tools/model/graph";
import { byType, runStack, parseStack } from "../harness";
import { expectApisAwaited } from "./googleApis";
import { databricksResources, job, JobCluster, JobTask, phaseOverride, providerRef, statefulTypes, expectJobsRunAs, jobsRunAs, graphA100Demand } from "./databricksGraph";

const parametersOf = (j: { inputs: Record<string, unknown> }) =>
    Object.fromEntries((j.inputs.parameters as { name: string; default: string }[]).map((p) => [p.name, p.default]));

describe.each(["dev", "prod"])("phase 2 of %s", (stack) => {
    let graph: ResourceGraph;
    beforeAll(async () => {
        graph = await runStack(stack, phaseOverride(2));
    });

    it("keeps every resource of phase 2 waiting for the Google APIs its type needs", () => {
        expectApisAwaited(graph);
    });

    it("runs no more A100s at once than the quota phase 0 requests, counted as config validation counts them", () => {
        const demand = graphA100Demand(graph);
        expect(demand.clusters).toBe(3);
        const config = parseStack(stack, phaseOverride(2));
        expect({ onDemandGpus: demand.onDemandGpus, preemptibleGpus: demand.preemptibleGpus }).toEqual(configuredA100Demand(config));
        expect(demand.onDemandGpus).toBeLessThanOrEqual(config.a100Quota.gpus);
        expect(demand.preemptibleGpus).toBeLessThanOrEqual(config.a100Quota.preemptibleGpus);
    });

    it("runs every job as the service principal, under job-cluster policies, reading the source and writing the catalog as it", () => {
        const runAs = jobsRunAs[stack];
        expect(expectJobsRunAs(graph, runAs).map((j) => j.inputs.name).sort()).toEqual(["benchmark_suite", "data_migration", "delta_maintenance", "model_training"]);
        const grants = byType(graph, "databricks:index/grants:Grants");
        const source = grants.find((g) => g.inputs.externalLocation)!;
        expect(source.inputs.grants).toEqual([{ principal: runAs, privileges: ["READ_FILES"] }]);
        const catalog = grants.find((g) => g.inputs.catalog)!;
        expect((catalog.inputs.grants as { principal: string; privileges: string[] }[]).find((g) => g.principal === runAs)!.privileges).toEqual(
            expect.arrayContaining(["MODIFY", "CREATE_TABLE", "CREATE_MODEL"]),
        );
    });

    it("adds the tables, source access, notebooks and jobs to phase 1", () => {
        expect(countByType(programResources(graph))).toMatchObject({
            "databricks:index/sqlTable:SqlTable": 5,
            // The Delta bucket's, the performance baseline's and the migration source's.
            "databricks:index/externalLocation:ExternalLocation": 3,
            // Two each for Unity Catalog on the three buckets, and the baseline's writer.
            "gcp:storage/bucketIAMMember:BucketIAMMember": 7,
            "databricks:index/notebook:Notebook": 5,
            "databricks:index/workspaceFile:WorkspaceFile": libraryModules.length,
            "databricks:index/job:Job": 4,
            "databricks:index/cluster:Cluster": 1,
            "pulumi:providers:databricks": 2,
        });
        expect(byType(graph, "databricks:index/sqlTable:SqlTable").map((t) => `${t.inputs.schemaName}.${t.inputs.name}`).sort()).toEqual([
            "curated.training_features",
            "ml.benchmark_results",
            "ml.models",
            "ops.cost_metrics",
            "raw.training_examples",
        ]);
    });

    it("creates `models` as the seed describes it, in today's form", () => {
        const models = byType(graph, "databricks:index/sqlTable:SqlTable").find((t) => t.inputs.name === "models")!;
        expect(models.inputs).toMatchObject({
            tableType: "MANAGED",
            catalogName: `ml_${stack}`,
            clusterKeys: [...deltaStorage.clusteringColumns],
            properties: {
                "delta.autoOptimize.optimizeWrite": "true",
                "delta.autoOptimize.autoCompact": "true",
                "delta.deletedFileRetentionDuration": `interval ${deltaStorage.vacuumRetentionHours} hours`,
            },
        });
    });

    it("runs every table's DDL on the SQL warehouse, as managed Delta without a format or a location", () => {
        const [warehouse] = byType(graph, "databricks:index/sqlEndpoint:SqlEndpoint");
        for (const table of byType(graph, "databricks:index/sqlTable:SqlTable")) {
            expect(table.inputs, table.urn).toMatchObject({ tableType: "MANAGED", warehouseId: warehouse.id });
            expect(table.inputs, table.urn).not.toHaveProperty("dataSourceFormat");
            expect(table.inputs, table.urn).not.toHaveProperty("storageLocation");
        }
    });

    it("runs model_training exactly as the seed's workflow: hourly in UTC, data_prep then training, notebooks in /Shared", () => {
        const training = job(graph, "model_training");
        expect(training.inputs.schedule).toEqual({
            quartzCronExpression: "0 0 * * * ?",
            timezoneId: "UTC",
            pauseStatus: stack === "dev" ? "PAUSED" : "UNPAUSED",
        });
        const tasks = training.inputs.tasks as JobTask[];
        expect(tasks.map((t) => [t.taskKey, t.notebookTask.notebookPath, (t.dependsOns ?? []).map((d) => d.taskKey)])).toEqual([
            ["data_prep", "/Shared/data_prep", []],
            ["training", "/Shared/training", ["data_prep"]],
        ]);
    });

    it("prepares data on a CPU cluster with Photon and trains on A100s without it, both spot with the driver on demand", () => {
        const training = job(graph, "model_training");
        const clusters = Object.fromEntries((training.inputs.jobClusters as JobCluster[]).map((c) => [c.jobClusterKey, c.newCluster]));
        const tasks = training.inputs.tasks as JobTask[];
        expect(tasks.map((t) => t.jobClusterKey)).toEqual(["data_prep", "training"]);
        expect(clusters.data_prep).toMatchObject({ runtimeEngine: "PHOTON", sparkVersion: "15.4.x-scala2.12", nodeTypeId: stack === "dev" ? "n2-highmem-4" : "n2-highmem-8" });
        expect(clusters.training).toMatchObject({
            runtimeEngine: "STANDARD",
            sparkVersion: "15.4.x-gpu-ml-scala2.12",
            nodeTypeId: "a2-highgpu-1g",
            dataSecurityMode: "SINGLE_USER",
            sparkEnvVars: { GPU_MEMORY_FRACTION: "0.85" },
            // Fixed at the workers' maximum: the training runs on every worker GPU at once.
            numWorkers: stack === "dev" ? 2 : 8,
        });
        expect(clusters.training).not.toHaveProperty("autoscale");
        const parameters = Object.fromEntries((training.inputs.parameters as { name: string; default: string }[]).map((p) => [p.name, p.default]));
        expect(parameters).toMatchObject({ gpus: stack === "dev" ? "2" : "8", snapshot_volume: "curated.training_snapshots", metrics_project: "" });
        for (const cluster of Object.values(clusters)) {
            expect(cluster.gcpAttributes).toMatchObject({ availability: "PREEMPTIBLE_WITH_FALLBACK_GCP", firstOnDemand: 1 });
            expect(cluster).not.toHaveProperty("autoterminationMinutes");
        }
    });

    it("e-mails failures, retries, and stops a run before the next hourly one is due", () => {
        const training = job(graph, "model_training");
        expect(training.inputs.emailNotifications).toMatchObject({ onFailures: expect.arrayContaining(["ml-platform-alerts@example.com"]) });
        expect(training.inputs.timeoutSeconds as number).toBeLessThan(3600);
        expect(training.inputs.maxConcurrentRuns).toBe(1);
        for (const task of training.inputs.tasks as JobTask[]) {
            expect(task.maxRetries).toBeGreaterThanOrEqual(1);
            expect(task.timeoutSeconds).toBeLessThanOrEqual(training.inputs.timeoutSeconds as number);
        }
    });

    it("migrates from the configured GCS data through the read-only location, idempotently", () => {
        const migration = job(graph, "data_migration");
        const location = byType(graph, "databricks:index/externalLocation:ExternalLocation").find((l) => l.inputs.readOnly === true)!;
        expect(location.inputs.url).toBe(`gs://acme-ml-${stack}-training-data/raw/`);
        expect(parametersOf(migration)).toMatchObject({ source_uri: location.inputs.url, target_table: "raw.training_examples", file_format: "PARQUET" });
        expect(migration.inputs.schedule).toBeUndefined();
        expect((migration.inputs.jobClusters as JobCluster[])[0].newCluster.runtimeEngine).toBe("PHOTON");
    });

    it("maintains the tables daily on the SQL warehouse", () => {
        const maintenance = job(graph, "delta_maintenance");
        const [warehouse] = byType(graph, "databricks:index/sqlEndpoint:SqlEndpoint");
        expect(maintenance.inputs.schedule).toMatchObject({ quartzCronExpression: "0 0 3 * * ?", timezoneId: "UTC" });
        const [task] = maintenance.inputs.tasks as JobTask[];
        expect(task.notebookTask).toMatchObject({ notebookPath: "/Shared/maintenance", warehouseId: warehouse.id });
        expect(maintenance.inputs.jobClusters ?? []).toEqual([]);
    });

    it("labels jobs and their clusters, and uses the workspace provider for everything in the workspace", () => {
        for (const j of byType(graph, "databricks:index/job:Job")) {
            expect(Object.keys(j.inputs.tags as object)).toEqual(expect.arrayContaining([...requiredLabelKeys]));
            for (const c of (j.inputs.jobClusters ?? []) as JobCluster[]) {
                expect(Object.keys(c.newCluster.customTags)).toEqual(expect.arrayContaining([...requiredLabelKeys]));
            }
        }
        for (const r of programResources(graph).filter((r) => r.custom && labelProperty(r.type))) {
            expect((r.inputs[labelProperty(r.type)!] as Record<string, string>).env, r.urn).toBe(stack);
        }
        const workspace = providerRef(graph, "databricks-workspace");
        for (const r of databricksResources(graph).filter((r) => !r.type.includes("/mws") && !r.type.includes("metastoreAssignment"))) {
            expect(r.provider, r.urn).toBe(workspace);
        }
    });

    it("protects and retains every stateful resource", () => {
        for (const r of programResources(graph).filter((r) => statefulTypes.includes(r.type))) {
            expect(r, r.urn).toMatchObject({ protect: true, retainOnDelete: true });
        }
    });

    it("exports the job IDs", () => {
        expect(graph.outputs).toMatchObject({ phase: 2, modelTrainingJobId: "model-training-id", maintenanceJobId: "delta-maintenance-id" });
    });
});

describe.each(["dev", "prod"])("moving %s between phases 0, 1 and 2", (stack) => {
    const graphs: ResourceGraph[] = [];
    beforeAll(async () => {
        for (const phase of [0, 1, 2]) graphs[phase] = await runStack(stack, phaseOverride(phase));
    });

    it("keeps every resource of a lower phase, unchanged in identity, when promoting", () => {
        for (const [lower, higher] of [[0, 1], [1, 2], [0, 2]]) {
            const kept = new Set(programResources(graphs[higher]).map((r) => r.urn));
            for (const r of programResources(graphs[lower])) expect(kept.has(r.urn), `${r.urn} in phase ${higher}`).toBe(true);
        }
    });
});
