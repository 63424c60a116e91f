/**
 * The estimator against a small graph whose every number is worked out by hand below, on a
 * catalog of round prices and a 100-hour month (fixtures/smallGraph.ts).
 *
 * GCP
 *   gpu-od    1–3 × gpu-8 on demand ($10/h) + 100 GB pd-ssd ($0.10/GB-month), workload training:
 *             at max 10 runs × 2 h = 20 h; node-hours 1×100 + 2×20 = 140;
 *             per node-hour 10 + 100×0.1/100 = 10.1 → $1,414; one run 3 × 2 h × 10.1 = $60.60
 *   cpu-spot  0–4 × cpu-4 spot ($0.05/h) + 50 GB pd-ssd, workload data-processing:
 *             at max 10 × 1 h = 10 h; node-hours 4×10 = 40; per node-hour 0.05 + 0.05 = 0.1 → $4; one run 4 × 1 × 0.1 = $0.40
 *   gke       $0.10/h × 100 h = $10
 *   lake      2,000 GB (cost.storage.gb.lake) × $0.02 = $40
 *   billing   100 GB (default) × $0.02 = $2                                         GCP = $1,470, per run $61
 * Databricks
 *   interactive  driver + 2 × cpu-4 on demand, Photon: VMs 3×0.2 = 0.6/h, DBU 3×1×$0.60 = 1.8/h; 20 h → $48
 *   model_training  prep: 2 × cpu-4, Photon jobs: 0.4 + 2×1×0.2 = 0.8/h × 1 h = 0.8
 *                   train: driver cpu-4 on demand + 3 (2 + 0.5×2) gpu-8 spot: VMs 0.2 + 3×4 = 12.2/h,
 *                   DBU (1 + 3×10) × $0.15 = 4.65/h → 16.85/h × 2 h = 33.7; a run $34.50 × 10 runs → $345
 *   maintenance  single cpu-4 node: 0.2 + 1×0.15 = 0.35/h × 3 h × 1 run (cron "0 0 0 1 * ?") → $1.05
 *   benchmark    paused schedule → $0
 *   wh           Small serverless: 12 DBU/h × $1 × 10 h → $120                       Databricks = $514.05
 */
import { describe, expect, it } from "vitest";
import { costConfigSchema } from "../../stacks/configSchema";
import { PriceOverrideError } from "../../tools/cost/catalog";
import { baselineOf, costSummary, estimateCost } from "../../tools/cost/estimate";
import { databricksResources, dbxCluster, gcpResources, nodePool, res, roundCatalog, roundUsage, trainingJob } from "./fixtures/smallGraph";

const graph = () => ({ resources: [...gcpResources(), ...databricksResources()] });
const monthlyOf = (e: ReturnType<typeof estimateCost>, name: string) => e.resources.find((l) => l.name === name)!.monthlyUsd;

describe("estimateCost on the small graph", () => {
    const estimate = estimateCost(graph(), { catalog: roundCatalog, usage: roundUsage(), baseline: { monthlyUsd: 1470, perTrainingUsd: 61 } });

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
        expect(monthlyOf(estimate, "training-job")).toBeCloseTo(345, 6);
        expect(monthlyOf(estimate, "maintenance-job")).toBeCloseTo(1.05, 6);
        expect(monthlyOf(estimate, "benchmark-job")).toBe(0);
        expect(monthlyOf(estimate, "wh")).toBeCloseTo(120, 6);
        expect(estimate.databricksMonthlyUsd).toBeCloseTo(514.05, 6);
        expect(estimate.monthlyUsd).toBeCloseTo(1984.05, 6);
    });

    it("takes one training run from the Databricks training job, and the ratios against the baseline", () => {
        expect(estimate.perTrainingSource).toBe("databricks-job");
        expect(estimate.perTrainingUsd).toBeCloseTo(34.5, 6);
        expect(estimate.baselineRatio).toBeCloseTo(1984.05 / 1470, 9);
        expect(estimate.perTrainingRatio).toBeCloseTo(34.5 / 61, 9);
        expect(estimate.meetsTargets).toEqual({ total: false, perTraining: true });
    });

    it("splits the month by the phase that introduced each resource", () => {
        expect(estimate.byPhase["phase-0"]).toBeCloseTo(1470, 6);
        expect(estimate.byPhase["phase-1"]).toBeCloseTo(48 + 0 + 120, 6);
        expect(estimate.byPhase["phase-2"]).toBeCloseTo(345 + 1.05, 6);
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
            ["baselineRatio", "databricksMonthlyUsd", "gcpMonthlyUsd", "monthlyUsd", "perTrainingRatio", "perTrainingUsd", "unpriced"].sort(),
        );
    });
});

describe("the GCP baseline", () => {
    it("prices one training run as the training pools at their maximum for the task hours", () => {
        const baseline = estimateCost({ resources: gcpResources() }, { catalog: roundCatalog, usage: roundUsage() });
        expect(baseline.perTrainingSource).toBe("gcp-pools");
        expect(baseline.perTrainingUsd).toBeCloseTo(61, 6);
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
        // train: VMs 12.2 + DBU 31 × 0.3 = 21.5/h × 2 h = 43; prep unchanged 0.8 → 43.8 a run × 10
        expect(monthlyOf(e, "training-job")).toBeCloseTo(438, 6);
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
        expect(e.perTrainingUsd).toBeCloseTo(61, 6);
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
