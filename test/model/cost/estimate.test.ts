/**
 * The estimator against a small graph whose every number is worked out by hand below, on a
 * catalog of round prices and a 100-hour month (fixtures/smallGraph.ts).
 *
 * GCP
 *   gpu-od    1–3 × gpu-8 on demand ($10/h) + 100 GB pd-ssd ($0.10/GB-month), workload training:
 *             at max 10 runs × 2 h = 20 h; node-hours 1×100 + 2×20 = 140;
 *             per node-hour 10 + 100×0.1/100 = 10.1 → $1,414. One training run is the reference
 *             work: one node's 8 GPUs for 2 h, at 3 × 10.1 / (3 × 8) = $1.2625 a GPU-hour → $20.20
 *   cpu-spot  0–4 × cpu-4 spot ($0.05/h) + 50 GB pd-ssd, workload data-processing:
 *             at max 10 × 1 h = 10 h; node-hours 4×10 = 40; per node-hour 0.05 + 0.05 = 0.1 → $4; one run 4 × 1 × 0.1 = $0.40
 *   gke       $0.10/h × 100 h = $10
 *   lake      2,000 GB (cost.storage.gb.lake) × $0.02 = $40
 *   billing   100 GB (default) × $0.02 = $2                                         GCP = $1,470, per run $20.60
 * Databricks
 *   interactive  driver + 2 × cpu-4 on demand, Photon: VMs 3×0.2 = 0.6/h, DBU 3×1×$0.60 = 1.8/h; 20 h → $48
 *   model_training  prep: 2 × cpu-4, Photon jobs: 0.4 + 2×1×0.2 = 0.8/h × 1 h = 0.8
 *                   train: driver cpu-4 on demand + 3 (2 + 0.5×2) gpu-8 spot: VMs 0.2 + 3×4 = 12.2/h,
 *                   DBU (1 + 3×10) × $0.15 = 4.65/h → 16.85/h. At equal work its 24 GPUs (the same
 *                   GPU as GCP's) do the 16 GPU-hours in 2/3 h → 11.2333; a run 12.0333 × 10 runs → 120.3333
 *   maintenance  single cpu-4 node: 0.2 + 1×0.15 = 0.35/h × 3 h × 1 run (cron "0 0 0 1 * ?") → $1.05
 *   benchmark    paused schedule → $0
 *   wh           Small serverless: 12 DBU/h × $1 × 10 h → $120                       Databricks = $289.3833
 */
import { describe, expect, it } from "vitest";
import { costConfigSchema } from "../../../domain/configSchema";
import { PriceOverrideError } from "../../../tools/model/cost/catalog";
import { baselineOf, costSummary, estimateCost } from "../../../tools/model/cost/estimate";
import { relativeTrainingThroughput } from "../../../domain/gpuThroughput";
import { databricksResources, dbxCluster, gcpResources, nodePool, res, roundCatalog, roundUsage, trainingJob } from "./fixtures/smallGraph";

const graph = () => ({ resources: [...gcpResources(), ...databricksResources()] });
const monthlyOf = (e: ReturnType<typeof estimateCost>, name: string) => e.resources.find((l) => l.name === name)!.monthlyUsd;

describe("estimateCost on the small graph", () => {
    const estimate = estimateCost(graph(), { catalog: roundCatalog, usage: roundUsage(), baseline: { monthlyUsd: 1470, perTrainingUsd: 20.6 } });

    it("prices every GCP path: on-demand and spot pools with their disks, the GKE fee, bucket and dataset", () => {
        expect(monthlyOf(estimate, "gpu-od")).toBeCloseTo(1414, 6);
        expect(monthlyOf(estimate, "cpu-spot")).toBeCloseTo(4, 6);
        expect(monthlyOf(estimate, "gke")).toBeCloseTo(10, 6);
        expect(monthlyOf(estimate, "lake")).toBeCloseTo(40, 6);
        expect(monthlyOf(estimate, "billing")).toBeCloseTo(2, 6);
        expect(estimate.gcpMonthlyUsd).toBeCloseTo(1470, 6);
    });

    it("prices every Databricks path: VMs + DBUs by SKU, Photon, spot workers, schedules and SQL serverless", () => {
        expect(monthlyOf(estimate, "interactive")).toBeCloseTo(48, 6);
        expect(monthlyOf(estimate, "training-job")).toBeCloseTo(120 + 1 / 3, 6);
        expect(monthlyOf(estimate, "maintenance-job")).toBeCloseTo(1.05, 6);
        expect(monthlyOf(estimate, "benchmark-job")).toBe(0);
        expect(monthlyOf(estimate, "wh")).toBeCloseTo(120, 6);
        expect(estimate.databricksMonthlyUsd).toBeCloseTo(289.05 + 1 / 3, 6);
        expect(estimate.monthlyUsd).toBeCloseTo(1759.05 + 1 / 3, 6);
    });

    it("takes one training run from the Databricks training job at equal work, and the ratios against the baseline", () => {
        expect(estimate.perTrainingSource).toBe("databricks-job");
        expect(estimate.perTrainingUsd).toBeCloseTo(12 + 1 / 30, 6);
        expect(estimate.perTrainingBasis).toBe("equal work: 24 × gpu-x for 0.67 h = 8 × gpu-x for 2 h on GCP; the same GPU (gpu-x) on both platforms");
        expect(estimate.baselineRatio).toBeCloseTo((1759.05 + 1 / 3) / 1470, 9);
        expect(estimate.perTrainingRatio).toBeCloseTo((12 + 1 / 30) / 20.6, 9);
        expect(estimate.meetsTargets).toEqual({ total: false, perTraining: true });
    });

    it("splits the month by the phase that introduced each resource", () => {
        expect(estimate.byPhase["phase-0"]).toBeCloseTo(1470, 6);
        expect(estimate.byPhase["phase-1"]).toBeCloseTo(48 + 0 + 120, 6);
        expect(estimate.byPhase["phase-2"]).toBeCloseTo(120 + 1 / 3 + 1.05, 6);
    });

    it("lists what it does not model, and leaves components out", () => {
        expect(estimate.notModelled).toEqual({ "gcp:compute/network:Network": 1 });
        expect(estimate.unpriced).toEqual([]);
        expect(estimate.resources.map((l) => l.name)).not.toContain("vpc");
    });

    it("says where each number came from", () => {
        const gpu = estimate.resources.find((l) => l.name === "gpu-od")!;
        expect(gpu.prices).toContain("gcp.machines.gpu-8.onDemandUsdPerHour: fixture 2025-01-01");
        expect(gpu.assumptions.join(" ")).toMatch(/10 runs × 2 h/);
        expect(estimate.resources.find((l) => l.name === "maintenance-job")!.assumptions.join(" ")).toMatch(/1 runs\/month from schedule "0 0 0 1 \* \?"/);
    });

    it("summarises in the plan JSON shape", () => {
        expect(Object.keys(costSummary(estimate)).sort()).toEqual(
            ["baselineRatio", "databricksMonthlyUsd", "gcpMonthlyUsd", "monthlyUsd", "perTrainingBasis", "perTrainingRatio", "perTrainingUsd", "unpriced"].sort(),
        );
    });
});

describe("the GCP baseline", () => {
    it("prices one training run as the GPUs it uses for the task hours, and the other tasks' pools at their maximum", () => {
        const baseline = estimateCost({ resources: gcpResources() }, { catalog: roundCatalog, usage: roundUsage() });
        expect(baseline.perTrainingSource).toBe("gcp-pools");
        expect(baseline.perTrainingUsd).toBeCloseTo(20.6, 6);
        expect(baseline.perTrainingBasis).toBe("the reference work on GCP: 8 × gpu-x for 2 h (one gpu-8 node; cost.training.gcpGpus to change)");
        // Two nodes' GPUs (cost.training.gcpGpus 16): twice the GPU part.
        const two = estimateCost({ resources: gcpResources() }, { catalog: roundCatalog, usage: roundUsage({ training: { runsPerMonth: 10, taskHours: { data_prep: 1, training: 2 }, gcpGpus: 16 } }) });
        expect(two.perTrainingUsd).toBeCloseTo(40.8, 6);
        expect(baselineOf(baseline)).toEqual({ monthlyUsd: baseline.monthlyUsd, perTrainingUsd: baseline.perTrainingUsd });
        const self = estimateCost({ resources: gcpResources() }, { catalog: roundCatalog, usage: roundUsage(), baseline: baselineOf(baseline) });
        expect(self.baselineRatio).toBeCloseTo(1, 12);
        expect(self.perTrainingRatio).toBeCloseTo(1, 12);
    });

    it("follows the pool hours configured for a pool over the workflow default", () => {
        const usage = roundUsage({ gke: { pools: { "gpu-od": { hoursAtMax: 100 } } } });
        const e = estimateCost({ resources: gcpResources() }, { catalog: roundCatalog, usage });
        // 1×100 + 2×100 node-hours × 10.1
        expect(monthlyOf(e, "gpu-od")).toBeCloseTo(3030, 6);
    });
});

describe("overrides", () => {
    it("replaces a catalog price for the stack and marks it as the stack's", () => {
        const usage = roundUsage({ priceOverrides: { "gcp.machines.gpu-8.onDemandUsdPerHour": 20, "databricks.dbuRates.jobs.usdPerDbu": 0.3 } });
        const e = estimateCost(graph(), { catalog: roundCatalog, usage });
        expect(monthlyOf(e, "gpu-od")).toBeCloseTo(140 * 20.1, 6);
        // train: VMs 12.2 + DBU 31 × 0.3 = 21.5/h × 2/3 h (equal work) = 14.333; prep unchanged 0.8 → 15.1333 a run × 10
        expect(monthlyOf(e, "training-job")).toBeCloseTo(151 + 1 / 3, 6);
        expect(e.resources.find((l) => l.name === "gpu-od")!.prices).toContain("gcp.machines.gpu-8.onDemandUsdPerHour: stack override");
        expect(roundCatalog.gcp.machines["gpu-8"].onDemandUsdPerHour).toBe(10);
    });

    it("prices a node type the catalog lacks once the stack supplies its price", () => {
        const pool = res(nodePool, "new", { autoscaling: { totalMinNodeCount: 1, totalMaxNodeCount: 1 }, nodeConfig: { machineType: "z9-new-4", diskType: "pd-ssd", diskSizeGb: 10 } });
        const usage = roundUsage({ priceOverrides: { "gcp.machines.z9-new-4.onDemandUsdPerHour": 1 } });
        const e = estimateCost({ resources: [pool] }, { catalog: roundCatalog, usage });
        expect(e.unpriced).toEqual([]);
        expect(e.monthlyUsd).toBeCloseTo(100 * (1 + 0.01), 6);
    });

    it("refuses a path that names no price, naming the key and what exists", () => {
        const usage = roundUsage({ priceOverrides: { "gcp.machines.gpu-8.hourly": 1, "gcp.nothing.x.y": 2 } });
        let error: unknown;
        try {
            estimateCost(graph(), { catalog: roundCatalog, usage });
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(PriceOverrideError);
        const message = (error as Error).message;
        expect(message).toContain("migration:cost.priceOverrides.gcp.machines.gpu-8.hourly = 1: expected a price field of gcp.machines.gpu-8");
        expect(message).toContain("gcp.machines.gpu-8.spotUsdPerHour");
        expect(message).toContain("migration:cost.priceOverrides.gcp.nothing.x.y = 2: expected a price path starting with one of gcp.machines");
    });
});

describe("what cannot be priced", () => {
    const baseUsage = roundUsage();
    const totalsWithout = estimateCost(graph(), { catalog: roundCatalog, usage: baseUsage });

    it("lists a node pool of an unknown machine type as unpriced, with a warning, and keeps it out of the totals", () => {
        const unknown = res(nodePool, "mystery", {
            autoscaling: { totalMinNodeCount: 1, totalMaxNodeCount: 2 },
            nodeConfig: { machineType: "m9-megamem-999", diskType: "pd-ssd", diskSizeGb: 100 },
        });
        const e = estimateCost({ resources: [...graph().resources, unknown] }, { catalog: roundCatalog, usage: baseUsage });
        expect(e.unpriced).toEqual([unknown.urn]);
        expect(e.warnings.join("\n")).toContain(`${unknown.urn} is not priced: gcp.machines.m9-megamem-999 is not in the price catalog`);
        const line = e.resources.find((l) => l.urn === unknown.urn)!;
        expect(line.priced).toBe(false);
        expect(line.reason).toMatch(/priceOverrides\["gcp\.machines\.m9-megamem-999\.onDemandUsdPerHour"\]/);
        expect(e.monthlyUsd).toBeCloseTo(totalsWithout.monthlyUsd, 9);
    });

    it("lists a Databricks cluster whose node type has no DBU rate, and a serverless task, as unpriced", () => {
        const cluster = res(dbxCluster, "odd", { nodeTypeId: "x1-unknown", numWorkers: 1 });
        const serverless = res("databricks:index/job:Job", "serverless-job", { name: "nightly", tasks: [{ taskKey: "etl", environmentKey: "default" }] });
        // The VM is priced (by the stack); its DBU/hour is not.
        const usage = roundUsage({ priceOverrides: { "gcp.machines.x1-unknown.onDemandUsdPerHour": 1 } });
        const e = estimateCost({ resources: [cluster, serverless] }, { catalog: roundCatalog, usage });
        expect(e.unpriced).toEqual([cluster.urn, serverless.urn]);
        expect(e.resources[0].reason).toContain("databricks.nodeDbuPerHour.x1-unknown is not in the price catalog");
        expect(e.resources[1].reason).toContain("serverless");
    });

    it("prices a job whose tasks run on a SQL warehouse with the warehouse, not as unpriced", () => {
        const job = res("databricks:index/job:Job", "maintenance", {
            name: "delta_maintenance",
            tasks: [
                { taskKey: "optimize", notebookTask: { notebookPath: "/Shared/maintenance", warehouseId: "wh-1" } },
                { taskKey: "report", sqlTask: { warehouseId: "wh-1", query: { queryId: "q" } } },
            ],
        });
        const e = estimateCost({ resources: [job] }, { catalog: roundCatalog, usage: baseUsage });
        expect(e.unpriced).toEqual([]);
        expect(e.resources[0]).toMatchObject({ priced: true, monthlyUsd: 0 });
        expect(e.resources[0].detail).toContain("optimize on a SQL warehouse (priced with the warehouse)");
    });

    it("leaves the cost of a training run unknown when the training job cannot be priced, rather than falling back to GCP", () => {
        const job = trainingJob({ train: { nodeTypeId: "a9-unknown", numWorkers: 2 } });
        const e = estimateCost({ resources: [...gcpResources(), job] }, { catalog: roundCatalog, usage: baseUsage });
        expect(e.unpriced).toEqual([job.urn]);
        expect(e.perTrainingUsd).toBeNull();
        expect(e.perTrainingSource).toBe("none");
    });

    it("costs nothing for a paused training job, and takes one training run from the GCP pools then", () => {
        const paused = trainingJob({ schedule: { quartzCronExpression: "0 0 * * * ?", timezoneId: "UTC", pauseStatus: "PAUSED" } });
        const e = estimateCost({ resources: [...gcpResources(), paused] }, { catalog: roundCatalog, usage: roundUsage({ jobs: {} }) });
        expect(e.unpriced).toEqual([]);
        expect(monthlyOf(e, "training-job")).toBe(0);
        expect(e.perTrainingSource).toBe("gcp-pools");
        expect(e.perTrainingUsd).toBeCloseTo(20.6, 6);
        // Running, the same job is the training run again.
        const running = estimateCost({ resources: [...gcpResources(), trainingJob()] }, { catalog: roundCatalog, usage: roundUsage({ jobs: {} }) });
        expect(running.perTrainingSource).toBe("databricks-job");
    });

    it("prices a job's tasks on a SQL warehouse with the warehouse, not as serverless compute", () => {
        const job = res("databricks:index/job:Job", "alerts-job", {
            name: "alerts",
            schedule: { quartzCronExpression: "0 0 6 * * ?", timezoneId: "UTC" },
            jobClusters: [{ jobClusterKey: "c", newCluster: { nodeTypeId: "cpu-4", numWorkers: 1 } }],
            tasks: [
                { taskKey: "load", jobClusterKey: "c" },
                { taskKey: "alert", sqlTask: { warehouseId: "wh-id", alert: { alertId: "a" } } },
                { taskKey: "sql_notebook", notebookTask: { notebookPath: "/Shared/x", warehouseId: "wh-id" } },
            ],
        });
        const e = estimateCost({ resources: [job] }, { catalog: roundCatalog, usage: roundUsage({ jobs: { alerts: { runsPerMonth: 10 } } }) });
        expect(e.unpriced).toEqual([]);
        expect(e.resources[0].detail).toContain("alert on a SQL warehouse (priced with the warehouse)");
        expect(e.resources[0].detail).toContain("sql_notebook on a SQL warehouse (priced with the warehouse)");
        // Only the job cluster's hour is counted: 1 h (cost.defaultTaskHours) of driver + 1 × cpu-4
        // ($0.20/h VM, 1 DBU/h at $0.15), 10 runs.
        expect(e.resources[0].monthlyUsd).toBeCloseTo(10 * (2 * 0.2 + 2 * 1 * 0.15), 6);
    });

    it("refuses schedules it cannot count instead of calling them free", () => {
        const job = trainingJob({ schedule: { quartzCronExpression: "0 0 0 L * ?", timezoneId: "UTC" } });
        const usage = costConfigSchema.parse({ hoursPerMonth: 100 });
        const e = estimateCost({ resources: [job] }, { catalog: roundCatalog, usage });
        expect(e.unpriced).toEqual([job.urn]);
        expect(e.resources[0].reason).toMatch(/uses L, W or #/);
    });
});

describe("one training run at equal work", () => {
    // The Databricks side on A100s, the GCP side on H100s: the catalog's GPU types, the table's ratio.
    const catalog = structuredClone(roundCatalog);
    catalog.gcp.machines["gpu-8"].accelerator = { type: "nvidia-h100-80gb", count: 8 };
    catalog.gcp.machines["a100-1"] = { onDemandUsdPerHour: 3, spotUsdPerHour: 1, accelerator: { type: "nvidia-a100-80gb", count: 1 }, source: "fixture", asOf: "2025-01-01" };
    catalog.databricks.nodeDbuPerHour["a100-1"] = { dbuPerHour: 2, source: "fixture", asOf: "2025-01-01" };
    const a100Job = trainingJob({ train: { nodeTypeId: "a100-1", driverNodeTypeId: "cpu-4", numWorkers: 16, gcpAttributes: { availability: "PREEMPTIBLE_WITH_FALLBACK_GCP", firstOnDemand: 1 } } });
    // train cluster: driver cpu-4 0.2 + 16 spot × 1 = 16.2/h VMs; DBU (1 + 16 × 2) × 0.15 = 4.95/h → 21.15/h.
    const perHour = 16.2 + 4.95;

    it("takes the table's figure when nothing is measured, and says it is sourced", () => {
        const e = estimateCost({ resources: [...gcpResources(), a100Job] }, { catalog, usage: roundUsage() });
        const ratio = relativeTrainingThroughput["nvidia-a100-80gb"].perH100;
        // 8 H100 × 2 h of work on 16 A100s at `ratio` of an H100 each.
        const hours = (2 * 8) / (16 * ratio);
        expect(e.perTrainingUsd).toBeCloseTo(0.8 + perHour * hours, 6);
        expect(e.perTrainingBasis).toMatch(new RegExp(`^equal work: 16 × nvidia-a100-80gb for [\\d.]+ h = 8 × nvidia-h100-80gb for 2 h on GCP; ${ratio} of a nvidia-h100-80gb per nvidia-a100-80gb, sourced \\(MLPerf Training v3.0, ResNet-50\\)$`));
        const job = e.resources.find((l) => l.name === "training-job")!;
        expect(job.assumptions.join(" ")).toContain("Silverton Consulting");
    });

    it("takes the stack's measured figure over the table, and says so", () => {
        const usage = roundUsage({ training: { runsPerMonth: 10, taskHours: { data_prep: 1, training: 2 }, measuredThroughput: { ratio: 0.5, source: "benchmark_results run db-1 vs gke-1" } } });
        const e = estimateCost({ resources: [...gcpResources(), a100Job] }, { catalog, usage });
        expect(e.perTrainingUsd).toBeCloseTo(0.8 + perHour * 2, 6);
        expect(e.perTrainingBasis).toContain("0.5 of a nvidia-h100-80gb per nvidia-a100-80gb, measured (benchmark_results run db-1 vs gke-1)");
    });

    it("takes the job's own task hours when the stack states them, and says the run rests on them", () => {
        const usage = roundUsage({ jobs: { model_training: { runsPerMonth: 10, taskHours: { training: 0.25 } } } });
        const e = estimateCost({ resources: [...gcpResources(), a100Job] }, { catalog, usage });
        expect(e.perTrainingUsd).toBeCloseTo(0.8 + perHour * 0.25, 6);
        expect(e.perTrainingBasis).toMatch(/configured task hours/);
    });

    it("warns when equal work takes longer than the training task's timeout", () => {
        const timed = trainingJob({ train: { nodeTypeId: "a100-1", driverNodeTypeId: "cpu-4", numWorkers: 16 } });
        (timed.inputs.tasks as Record<string, unknown>[])[1].timeoutSeconds = 30 * 60;
        const e = estimateCost({ resources: [...gcpResources(), timed] }, { catalog, usage: roundUsage() });
        // 16 H100-hours on 16 A100s: 1.85 h, against a 30-minute timeout.
        expect(e.warnings.join("\n")).toMatch(/task training needs 1\.85 h at equal work, past its 30-minute timeout/);
    });

    it("warns when equal work no longer fits between two runs", () => {
        const small = trainingJob({ train: { nodeTypeId: "a100-1", driverNodeTypeId: "cpu-4", numWorkers: 2 } });
        const e = estimateCost({ resources: [...gcpResources(), small] }, { catalog, usage: roundUsage() });
        // 16 H100-hours on 2 A100s: about 14.8 h a run, against 10 h between runs (100 h, 10 runs).
        expect(e.warnings.join("\n")).toMatch(/a run's 14\.\d+ h on one cluster is longer than the 10 h between runs/);
    });

    it("leaves a training job on a GPU type with no figure unpriced, naming the known ones and the measured key", () => {
        const odd = structuredClone(catalog);
        odd.gcp.machines["a100-1"].accelerator = { type: "nvidia-l4", count: 1 };
        const e = estimateCost({ resources: [...gcpResources(), a100Job] }, { catalog: odd, usage: roundUsage() });
        expect(e.unpriced).toEqual([a100Job.urn]);
        expect(e.perTrainingUsd).toBeNull();
        expect(e.resources.find((l) => l.name === "training-job")!.reason).toMatch(
            /task training cannot be priced at equal work: no relative training throughput for nvidia-l4: known GPU types are .*nvidia-tesla-a100.*migration:cost\.training\.measuredThroughput/,
        );
    });
});
