/**
 * Prices of Databricks compute: all-purpose clusters, job clusters (per run, times runs a
 * month from the job's schedule) and SQL warehouses. Classic compute costs twice: DBUs to
 * Databricks (node DBU/hour × the SKU's $/DBU) and the GCE VMs to Google (on demand or
 * spot, as `gcpAttributes.availability` and `firstOnDemand` place them). Serverless SQL's
 * rate includes its compute.
 */
import { CostConfig } from "../../../domain/costUsage";
import { DbuRateKey } from "./catalog";
import { equalWorkHours, gpusOf, ratioFor } from "./equalWork";
import { CronError, runsPerMonth } from "./cron";
import { PricedAmount } from "./gcpPricing";
import { formatNumber, formatUsd, list, num, overrideFix, priceOf, PricedResource, PricingContext, record, str, Unpriced } from "./lines";

export const databricksPricers: Record<string, (r: PricedResource, ctx: PricingContext) => PricedAmount> = {
    "databricks:index/cluster:Cluster": priceAllPurposeCluster,
    "databricks:index/job:Job": priceJob,
    "databricks:index/sqlEndpoint:SqlEndpoint": priceSqlWarehouse,
};

const spotAvailabilities = new Set(["PREEMPTIBLE_GCP", "PREEMPTIBLE_WITH_FALLBACK_GCP"]);

export interface ClusterHour {
    usdPerHour: number;
    vmUsdPerHour: number;
    dbuUsdPerHour: number;
    describe: string;
}

/** Workers a classic cluster runs at: single node 0, fixed `numWorkers`, or `min + autoscaleLoad × (max − min)`. */
export function clusterWorkers(spec: Record<string, unknown>, usage: CostConfig): { workers: number; text: string } {
    const autoscale = record(spec.autoscale);
    const maxWorkers = num(autoscale.maxWorkers);
    if (spec.isSingleNode === true) return { workers: 0, text: "single node" };
    if (maxWorkers !== undefined) {
        const minWorkers = num(autoscale.minWorkers) ?? 0;
        const workers = minWorkers + usage.databricks.autoscaleLoad * (maxWorkers - minWorkers);
        return { workers, text: `${formatNumber(workers)} of ${minWorkers}–${maxWorkers} workers (cost.databricks.autoscaleLoad ${usage.databricks.autoscaleLoad})` };
    }
    const workers = num(spec.numWorkers) ?? 0;
    return { workers, text: `${formatNumber(workers)} workers` };
}

/**
 * One hour of a classic cluster (a `Cluster` or a job's `newCluster`): driver + workers,
 * VMs and DBUs. Autoscaling clusters run at `min + autoscaleLoad × (max − min)` workers.
 * Spot placement follows Databricks: the first `firstOnDemand` nodes (driver first) are on
 * demand, the rest on the requested availability; an unset `firstOnDemand` with spot
 * availability is priced as 1 (driver on demand), the costlier reading.
 */
export function clusterHour(spec: Record<string, unknown>, sku: "jobs" | "allPurpose", ctx: PricingContext, used: string[]): ClusterHour {
    const { catalog, usage } = ctx;
    const nodeType = str(spec.nodeTypeId);
    if (!nodeType) {
        const from = str(spec.instancePoolId) ? "an instance pool" : str(spec.policyId) ? "a cluster policy" : "nowhere";
        throw new Unpriced(`the cluster's node type comes from ${from}, not nodeTypeId; set nodeTypeId so it can be priced`);
    }
    const driverType = str(spec.driverNodeTypeId) ?? nodeType;
    const { workers, text: workerText } = clusterWorkers(spec, usage);

    const gcpAttributes = record(spec.gcpAttributes);
    const spot = spotAvailabilities.has(str(gcpAttributes.availability) ?? "") || gcpAttributes.usePreemptibleExecutors === true;
    const firstOnDemand = spot ? (num(gcpAttributes.firstOnDemand) ?? 1) : Infinity;
    const driverOnDemand = firstOnDemand >= 1;
    const onDemandWorkers = Math.min(workers, Math.max(0, firstOnDemand - 1));
    const spotWorkers = workers - onDemandWorkers;

    const vm = (type: string, onDemand: boolean) => {
        const field = onDemand ? "onDemandUsdPerHour" : "spotUsdPerHour";
        return priceOf(used, catalog.gcp.machines, "gcp.machines", type, field, overrideFix(`gcp.machines.${type}.${field}`));
    };
    const dbu = (type: string) =>
        priceOf(used, catalog.databricks.nodeDbuPerHour, "databricks.nodeDbuPerHour", type, "dbuPerHour", overrideFix(`databricks.nodeDbuPerHour.${type}.dbuPerHour`));

    const photon = str(spec.runtimeEngine)?.toUpperCase() === "PHOTON";
    const rateKey: DbuRateKey = photon ? (sku === "jobs" ? "jobsPhoton" : "allPurposePhoton") : sku;
    const usdPerDbu = priceOf(used, catalog.databricks.dbuRates, "databricks.dbuRates", rateKey, "usdPerDbu", overrideFix(`databricks.dbuRates.${rateKey}.usdPerDbu`));

    const vmUsdPerHour =
        vm(driverType, driverOnDemand) + (onDemandWorkers > 0 ? onDemandWorkers * vm(nodeType, true) : 0) + (spotWorkers > 0 ? spotWorkers * vm(nodeType, false) : 0);
    const dbuPerHour = dbu(driverType) + (workers > 0 ? workers * dbu(nodeType) : 0);
    const dbuUsdPerHour = dbuPerHour * usdPerDbu;
    const placement = spot ? `spot workers (${formatNumber(spotWorkers)} spot, driver ${driverOnDemand ? "on demand" : "spot"})` : "on demand";
    return {
        usdPerHour: vmUsdPerHour + dbuUsdPerHour,
        vmUsdPerHour,
        dbuUsdPerHour,
        describe:
            `driver ${driverType} + ${workerText} × ${nodeType}, ${placement}; ` +
            `${formatNumber(dbuPerHour)} DBU/h × ${formatUsd(usdPerDbu)} (${rateKey}) + VMs ${formatUsd(vmUsdPerHour)}/h`,
    };
}

function priceAllPurposeCluster(r: PricedResource, ctx: PricingContext): PricedAmount {
    const prices: string[] = [];
    const hour = clusterHour(r.inputs, "allPurpose", ctx, prices);
    const configured = ctx.usage.databricks.clusters[r.name]?.hoursPerMonth;
    const hours = configured ?? ctx.usage.databricks.allPurposeHoursPerMonth;
    return {
        monthlyUsd: hour.usdPerHour * hours,
        detail: `${hour.describe}; ${formatNumber(hours)} h/month`,
        assumptions: [
            configured !== undefined
                ? `${formatNumber(hours)} h/month running (cost.databricks.clusters.${r.name}.hoursPerMonth)`
                : `${formatNumber(hours)} h/month running (cost.databricks.allPurposeHoursPerMonth)`,
        ],
        prices,
    };
}

/** Tasks that run no compute of their own. */
const computeFreeTasks = ["conditionTask", "runJobTask"];

/**
 * The SQL warehouse a task runs on (a SQL task, or a SQL notebook or dbt task given a
 * warehouse), or undefined. Such a task adds no compute of its own: its hours are the
 * warehouse's, which is priced as its own line.
 */
function taskWarehouse(task: Record<string, unknown>): string | undefined {
    for (const kind of ["sqlTask", "notebookTask", "dbtTask"]) {
        const id = str(record(task[kind]).warehouseId);
        if (id) return id;
    }
    return undefined;
}

function priceJob(r: PricedResource, ctx: PricingContext): PricedAmount {
    const { usage } = ctx;
    const prices: string[] = [];
    const jobName = str(r.inputs.name) ?? r.name;
    const jobUsage = usage.jobs[jobName];
    const isTraining = jobName === usage.training.jobName;
    const assumptions: string[] = [];

    const taskHours = (taskKey: string): number => {
        const hours = jobUsage?.taskHours[taskKey] ?? (isTraining ? usage.training.taskHours[taskKey] : undefined);
        if (hours !== undefined) {
            assumptions.push(`${taskKey}: ${formatNumber(hours)} h a run (cost.${jobUsage?.taskHours[taskKey] !== undefined ? `jobs.${jobName}` : "training"}.taskHours)`);
            return hours;
        }
        assumptions.push(`${taskKey}: ${formatNumber(usage.defaultTaskHours)} h a run (cost.defaultTaskHours)`);
        return usage.defaultTaskHours;
    };

    // Hours each cluster runs in one job run: the sum of its tasks' hours (tasks run in sequence).
    const clusters = new Map(list(r.inputs.jobClusters).map((c) => [str(c.jobClusterKey) ?? "", { spec: record(c.newCluster), hours: 0, key: str(c.jobClusterKey) ?? "" }]));
    let basis: PricedAmount["perTrainingBasis"];

    /**
     * The training task of the training job, on GPUs, does the reference run's work: its hours
     * follow from the GPUs (equalWork.ts) unless the stack states them for this job.
     */
    const equalWork = (key: string, spec: Record<string, unknown>): number | undefined => {
        const reference = ctx.trainingReference;
        if (!isTraining || !reference || key !== reference.task || jobUsage?.taskHours[key] !== undefined) return undefined;
        const { gpus, gpuType } = gpusOf(ctx.catalog, str(spec.nodeTypeId));
        const workerGpus = clusterWorkers(spec, usage).workers * gpus;
        if (!gpuType || workerGpus === 0) return undefined;
        let ratio: ReturnType<typeof ratioFor>;
        try {
            ratio = ratioFor(gpuType, reference, usage.training.measuredThroughput);
        } catch (error) {
            if (error instanceof RangeError) throw new Unpriced(`task ${key} cannot be priced at equal work: ${error.message}`);
            throw error;
        }
        const hours = equalWorkHours(reference, workerGpus, ratio.ratio);
        const line =
            `${key}: ${formatNumber(hours)} h a run at equal work: ${reference.describe} on GCP = ` +
            `${formatNumber(workerGpus)} × ${gpuType} at ${ratio.ratio} of a ${reference.gpuType} each (${ratio.basis}: ${ratio.detail})`;
        assumptions.push(line);
        basis = { basis: ratio.basis, short: `${formatNumber(workerGpus)} × ${gpuType} for ${formatNumber(hours)} h = ${reference.describe.replace(/ \(.*$/, "")} on GCP; ${ratio.short}`, detail: line };
        return hours;
    };
    /** Equal-work hours longer than the task's timeout would be stopped, not paid in full: said once the job is known to run. */
    const overTimeout: string[] = [];
    const withinTimeout = (key: string, task: Record<string, unknown>, hours: number | undefined): number | undefined => {
        const timeout = num(task.timeoutSeconds);
        if (hours !== undefined && timeout !== undefined && hours * 3600 > timeout) {
            overTimeout.push(
                `${r.urn}: task ${key} needs ${formatNumber(hours)} h at equal work, past its ${formatNumber(timeout / 60)}-minute timeout; ` +
                    "a run would be stopped unfinished. Give the training cluster more GPUs, or set the task's timeout for the work",
            );
        }
        return hours;
    };
    const parts: string[] = [];
    let perRunUsd = 0;
    const tasks = list(r.inputs.tasks);
    if (tasks.length === 0 && r.inputs.newCluster) {
        // The single-task form: the job's own newCluster runs its one task.
        tasks.push({ taskKey: jobName, newCluster: r.inputs.newCluster });
    }
    for (const task of tasks) {
        const key = str(task.taskKey) ?? "(task)";
        if (task.disabled === true || computeFreeTasks.some((k) => task[k] !== undefined)) continue;
        if (str(task.existingClusterId)) {
            parts.push(`${key} on an existing cluster (priced with that cluster)`);
            continue;
        }
        if (taskWarehouse(task)) {
            parts.push(`${key} on a SQL warehouse (priced with the warehouse)`);
            continue;
        }
        const clusterKey = str(task.jobClusterKey);
        if (clusterKey !== undefined) {
            const cluster = clusters.get(clusterKey);
            if (!cluster || Object.keys(cluster.spec).length === 0) {
                throw new Unpriced(`task ${key} runs on job cluster "${clusterKey}", which has no newCluster spec in the job`);
            }
            cluster.hours += withinTimeout(key, task, equalWork(key, cluster.spec)) ?? taskHours(key);
        } else if (task.newCluster) {
            const hours = withinTimeout(key, task, equalWork(key, record(task.newCluster))) ?? taskHours(key);
            const hour = clusterHour(record(task.newCluster), "jobs", ctx, prices);
            perRunUsd += hour.usdPerHour * hours;
            parts.push(`${key}: ${formatNumber(hours)} h × (${hour.describe})`);
        } else {
            throw new Unpriced(`task ${key} runs on serverless compute, whose DBUs a run consumes cannot be derived from the job's config`);
        }
    }
    for (const cluster of clusters.values()) {
        if (cluster.hours === 0) continue;
        const hour = clusterHour(cluster.spec, "jobs", ctx, prices);
        perRunUsd += hour.usdPerHour * cluster.hours;
        parts.push(`${cluster.key}: ${formatNumber(cluster.hours)} h × (${hour.describe})`);
    }

    const { runs, why } = jobRuns(r, jobName, ctx);
    assumptions.push(why);
    if (runs > 0) overTimeout.forEach((message) => ctx.warn(message));
    const runHours = Math.max(0, ...[...clusters.values()].map((c) => c.hours));
    if (isTraining && runs > 0 && runHours > ctx.usage.hoursPerMonth / runs) {
        ctx.warn(`${r.urn}: a run's ${formatNumber(runHours)} h on one cluster is longer than the ${formatNumber(ctx.usage.hoursPerMonth / runs)} h between runs; runs would queue`);
    }
    return {
        monthlyUsd: perRunUsd * runs,
        // A training job that never runs (paused, as at a workload share of 0) is not where training happens.
        perTrainingUsd: isTraining && runs > 0 ? perRunUsd : undefined,
        ...(isTraining && basis ? { perTrainingBasis: basis } : {}),
        detail: `${formatNumber(runs)} runs × ${formatUsd(perRunUsd)} a run; ${parts.join("; ")}`,
        assumptions,
        prices,
    };
}

function jobRuns(r: PricedResource, jobName: string, ctx: PricingContext): { runs: number; why: string } {
    const configured = ctx.usage.jobs[jobName]?.runsPerMonth;
    if (configured !== undefined) return { runs: configured, why: `${formatNumber(configured)} runs/month (cost.jobs.${jobName}.runsPerMonth)` };
    const schedule = record(r.inputs.schedule);
    const trigger = record(r.inputs.trigger);
    const cron = str(schedule.quartzCronExpression) ?? str(record(trigger.schedule).quartzCronExpression);
    const paused = (str(schedule.pauseStatus) ?? str(trigger.pauseStatus)) === "PAUSED";
    if (cron) {
        if (paused) return { runs: 0, why: `schedule "${cron}" is paused: 0 runs/month` };
        try {
            const runs = runsPerMonth(cron);
            return { runs, why: `${formatNumber(runs)} runs/month from schedule "${cron}"` };
        } catch (error) {
            if (error instanceof CronError) throw new Unpriced(`${error.message}`);
            throw error;
        }
    }
    const periodic = record(trigger.periodic);
    const interval = num(periodic.interval);
    const hoursPerUnit: Record<string, number> = { HOURS: 1, DAYS: 24, WEEKS: 168 };
    if (interval && hoursPerUnit[str(periodic.unit) ?? ""]) {
        if (paused) return { runs: 0, why: "periodic trigger is paused: 0 runs/month" };
        const runs = ctx.usage.hoursPerMonth / (interval * hoursPerUnit[str(periodic.unit)!]);
        return { runs, why: `${formatNumber(runs)} runs/month from a trigger every ${interval} ${String(periodic.unit).toLowerCase()}` };
    }
    if (r.inputs.continuous !== undefined || trigger.continuous !== undefined) {
        throw new Unpriced(`a continuous job runs without a schedule; set migration:cost.jobs.${jobName}.runsPerMonth and its taskHours`);
    }
    const runs = ctx.usage.unscheduledRunsPerMonth;
    return { runs, why: `no schedule: ${formatNumber(runs)} runs/month (cost.unscheduledRunsPerMonth)` };
}

function priceSqlWarehouse(r: PricedResource, ctx: PricingContext): PricedAmount {
    const { catalog, usage } = ctx;
    const prices: string[] = [];
    const size = str(r.inputs.clusterSize);
    if (!size) throw new Unpriced("clusterSize is not set");
    const dbuPerHour = priceOf(
        prices,
        catalog.databricks.sqlWarehouseDbuPerHour,
        "databricks.sqlWarehouseDbuPerHour",
        size,
        "dbuPerHour",
        overrideFix(`databricks.sqlWarehouseDbuPerHour.${size}.dbuPerHour`),
    );
    const serverless = r.inputs.enableServerlessCompute === true;
    const rateKey: DbuRateKey = serverless ? "sqlServerless" : str(r.inputs.warehouseType)?.toUpperCase() === "PRO" ? "sqlPro" : "sqlClassic";
    const usdPerDbu = priceOf(prices, catalog.databricks.dbuRates, "databricks.dbuRates", rateKey, "usdPerDbu", overrideFix(`databricks.dbuRates.${rateKey}.usdPerDbu`));
    if (!serverless) {
        ctx.warn(`${r.urn}: a ${rateKey === "sqlPro" ? "pro" : "classic"} SQL warehouse also runs VMs in the project, which the cost model does not price`);
    }
    const clusters = num(r.inputs.minNumClusters) ?? 1;
    const configured = usage.databricks.warehouses[r.name]?.hoursPerMonth;
    const hours = configured ?? usage.databricks.sqlWarehouseHoursPerMonth;
    return {
        monthlyUsd: hours * clusters * dbuPerHour * usdPerDbu,
        detail: `${size} × ${clusters} cluster(s), ${formatNumber(dbuPerHour)} DBU/h × ${formatUsd(usdPerDbu)} (${rateKey}), ${formatNumber(hours)} h/month`,
        assumptions: [
            `${formatNumber(hours)} h/month running (cost.databricks.${configured !== undefined ? `warehouses.${r.name}.hoursPerMonth` : "sqlWarehouseHoursPerMonth"})`,
            "at its minimum number of clusters",
        ],
        prices,
    };
}
