import { describe, expect, it } from "vitest";
import { costRules } from "../../domain/targets";
import { databricksAutotermination } from "../../policies/cost/databricksAutotermination";
import { databricksSpotShare, databricksSpotWorkers } from "../../policies/cost/databricksSpot";
import { dailyCostAlert } from "../../policies/cost/dailyCostAlert";
import { gkeGpuAutoscaling, gkeGpuSpotShare } from "../../policies/cost/gkeGpuCapacity";
import { gpuMemoryFraction } from "../../policies/cost/gpuMemoryFraction";
import { utilizationAlerts } from "../../policies/cost/utilizationAlerts";
import { a100Cluster, budget, gkeCluster, gpuAlert, gpuPool, trainingJob } from "./fixtures";
import { Fixture, runResourcePolicy, runStackPolicy, stackRoot, unknown, urnOf } from "./policyHarness";

const messages = (o: { violations: { message: string }[] }) => o.violations.map((v) => v.message);

describe("databricks-autotermination", () => {
    it("passes a cluster that stops after 30 idle minutes", async () => {
        expect(messages(await runResourcePolicy(databricksAutotermination, a100Cluster()))).toEqual([]);
    });

    it("flags a longer timeout, a disabled one and a missing one, naming value, limit and fix", async () => {
        const [longer] = messages(await runResourcePolicy(databricksAutotermination, a100Cluster({ autoterminationMinutes: 120 })));
        expect(longer).toContain('databricks:index/cluster:Cluster "a100": autoterminationMinutes is 120 minutes');
        expect(longer).toContain("required: 1 to 30 minutes");
        expect(longer).toContain("Fix: set autoterminationMinutes to at most 30");
        expect(messages(await runResourcePolicy(databricksAutotermination, a100Cluster({ autoterminationMinutes: 0 }))).join()).toContain("0 (never stops)");
        const unset = a100Cluster();
        delete unset.props.autoterminationMinutes;
        expect(messages(await runResourcePolicy(databricksAutotermination, unset)).join()).toContain("not set (the API's default is 60 minutes)");
    });

    it("takes a tighter limit from config", async () => {
        const outcome = await runResourcePolicy(databricksAutotermination, a100Cluster(), { config: { maxIdleMinutes: 15 } });
        expect(messages(outcome).join()).toContain("required: 1 to 15 minutes");
    });

    it("checks SQL warehouses and cluster policies, and leaves job clusters alone", async () => {
        const warehouse = (autoStopMins?: number): Fixture => ({
            type: "databricks:index/sqlEndpoint:SqlEndpoint",
            name: "benchmarks",
            props: { name: "benchmarks", clusterSize: "Small", ...(autoStopMins === undefined ? {} : { autoStopMins }) },
        });
        expect(messages(await runResourcePolicy(databricksAutotermination, warehouse(10)))).toEqual([]);
        expect(messages(await runResourcePolicy(databricksAutotermination, warehouse())).join()).toContain("autoStopMins is not set");
        const policy = (definition: object): Fixture => ({
            type: "databricks:index/clusterPolicy:ClusterPolicy",
            name: "a100-policy",
            props: { name: "A100 training", definition: JSON.stringify(definition) },
        });
        expect(
            messages(await runResourcePolicy(databricksAutotermination, policy({ autotermination_minutes: { type: "range", maxValue: 30 } }))),
        ).toEqual([]);
        expect(
            messages(await runResourcePolicy(databricksAutotermination, policy({ autotermination_minutes: { type: "unlimited", defaultValue: 120 } }))).join(),
        ).toContain('of type "unlimited"');
        expect(messages(await runResourcePolicy(databricksAutotermination, policy({ node_type_id: { type: "fixed", value: "a2-highgpu-1g" } }))).join()).toContain(
            "no autotermination_minutes rule",
        );
        expect(await runResourcePolicy(databricksAutotermination, trainingJob())).toEqual({ violations: [], notApplicable: expect.any(String) });
    });
});

describe("databricks-spot-workers", () => {
    it("passes spot workers with fallback and an on-demand driver, in clusters and job clusters", async () => {
        expect(messages(await runResourcePolicy(databricksSpotWorkers, a100Cluster()))).toEqual([]);
        expect(messages(await runResourcePolicy(databricksSpotWorkers, trainingJob()))).toEqual([]);
    });

    it("flags on-demand workers, spot without fallback's driver, and names the job cluster", async () => {
        const onDemand = messages(await runResourcePolicy(databricksSpotWorkers, a100Cluster({ gcpAttributes: { availability: "ON_DEMAND_GCP" } })));
        expect(onDemand).toEqual([expect.stringContaining('gcpAttributes.availability is "ON_DEMAND_GCP"; required: one of PREEMPTIBLE_WITH_FALLBACK_GCP')]);
        const spotDriver = messages(
            await runResourcePolicy(databricksSpotWorkers, trainingJob({ gcpAttributes: { availability: "PREEMPTIBLE_WITH_FALLBACK_GCP", firstOnDemand: 0 } })),
        );
        expect(spotDriver).toEqual([expect.stringContaining("jobClusters[training].newCluster.gcpAttributes.firstOnDemand is 0")]);
        const noAttributes = a100Cluster();
        delete noAttributes.props.gcpAttributes;
        expect(messages(await runResourcePolicy(databricksSpotWorkers, noAttributes)).join()).toContain("not set (the API default is ON_DEMAND_GCP)");
    });
});

describe("databricks-spot-share", () => {
    it("passes when at most 30% of workers are on demand at full size", async () => {
        // firstOnDemand 3 on 8 workers: driver + 2 workers on demand → 75% spot.
        const cluster = a100Cluster({ gcpAttributes: { availability: "PREEMPTIBLE_WITH_FALLBACK_GCP", firstOnDemand: 3 } });
        expect(messages(await runResourcePolicy(databricksSpotShare, cluster))).toEqual([]);
    });

    it("flags a cluster whose spot share is below 70%", async () => {
        const cluster = a100Cluster({ gcpAttributes: { availability: "PREEMPTIBLE_WITH_FALLBACK_GCP", firstOnDemand: 5 } });
        const [message] = messages(await runResourcePolicy(databricksSpotShare, cluster));
        expect(message).toContain("the spot share of workers is 50% (4 of 8 workers");
        expect(message).toContain(`required: at least ${costRules.databricks.spotInstanceTarget * 100}%`);
        expect(message).toContain("firstOnDemand at most 3");
    });
});

const pools = (spotMax: number, onDemandMax: number): Fixture[] => [
    stackRoot(0),
    gkeCluster(),
    gpuPool("h100-spot", { spot: true, max: spotMax }),
    gpuPool("h100-on-demand", { spot: false, min: 1, max: onDemandMax }),
];

describe("gke-gpu-spot-share", () => {
    it("passes the prod split (5 spot, 3 on-demand nodes of 8 GPUs)", async () => {
        expect(messages(await runStackPolicy(gkeGpuSpotShare, pools(5, 3)))).toEqual([]);
    });

    it("flags a split below 60% of GPU capacity", async () => {
        const [message] = messages(await runStackPolicy(gkeGpuSpotShare, pools(3, 5)));
        expect(message).toContain("GKE GPU capacity of the stack: the spot share is 37.5% (24 of 64 GPUs; on demand: h100-on-demand (5 nodes × 8 GPUs))");
        expect(message).toContain("required: at least 60%");
    });

    it("is not applicable without GPU pools, and skips when a pool's GPUs are unknown", async () => {
        expect((await runStackPolicy(gkeGpuSpotShare, [stackRoot(0), gkeCluster()])).notApplicable).toContain("no GKE GPU node pools");
        const unknownPool = gpuPool("h100-spot", { spot: true, max: 1 });
        unknownPool.props.nodeConfig = unknown;
        expect(messages(await runStackPolicy(gkeGpuSpotShare, [gkeCluster(), unknownPool, gpuPool("h100-on-demand", { spot: false, max: 9 })]))).toEqual([]);
    });
});

describe("gke-gpu-autoscaling", () => {
    it("passes autoscaled pools on an OPTIMIZE_UTILIZATION cluster", async () => {
        expect(messages(await runStackPolicy(gkeGpuAutoscaling, pools(5, 3)))).toEqual([]);
    });

    it("flags a fixed-size pool, a pinned pool and a BALANCED cluster, each with its URN", async () => {
        const outcome = await runStackPolicy(gkeGpuAutoscaling, [
            gkeCluster({ clusterAutoscaling: { autoscalingProfile: "BALANCED" } }),
            gpuPool("h100-spot", { spot: true, max: 4, autoscaling: false }),
            gpuPool("h100-on-demand", { spot: false, min: 2, max: 2 }),
        ]);
        expect(outcome.violations).toEqual([
            { message: expect.stringContaining("autoscaling is not set (fixed at 4 nodes)"), urn: urnOf("gcp:container/nodePool:NodePool", "h100-spot") },
            { message: expect.stringContaining("pinned at 2 nodes (min = max)"), urn: urnOf("gcp:container/nodePool:NodePool", "h100-on-demand") },
            { message: expect.stringContaining('clusterAutoscaling.autoscalingProfile is "BALANCED"'), urn: urnOf("gcp:container/cluster:Cluster", "ml-gke") },
        ]);
    });
});

describe("daily-cost-alert", () => {
    it("passes the phase-0 budget ($1,000/day as 30417 USD a month)", async () => {
        expect(messages(await runStackPolicy(dailyCostAlert, [budget(30417)]))).toEqual([]);
    });

    it("does not apply to a stack that GCP and Databricks do not bill (Kubernetes or AWS resources only)", async () => {
        const foreign: Fixture[] = [
            { type: "kubernetes:apps/v1:Deployment", name: "web", props: { spec: {} } },
            { type: "aws:s3/bucket:Bucket", name: "assets", props: {} },
        ];
        const outcome = await runStackPolicy(dailyCostAlert, foreign);
        expect(outcome.violations).toEqual([]);
        expect(outcome.notApplicable).toMatch(/no GCP or Databricks resource/);
        // One GCP resource is enough for the rule to apply.
        expect(messages(await runStackPolicy(dailyCostAlert, [...foreign, gkeCluster()]))).toHaveLength(1);
    });

    it("gives the fix any program can apply first, this project's helper second", async () => {
        const [message] = messages(await runStackPolicy(dailyCostAlert, [gkeCluster()]));
        const fix = message.slice(message.indexOf("Fix: "));
        expect(fix).toMatch(/^Fix: add a gcp\.billing\.Budget of at most 30417 USD\/month with threshold rules, or a Databricks cost alert/);
        expect(fix.indexOf("(in this project: the CostMonitoring component")).toBeGreaterThan(fix.indexOf("gcp.billing.Budget"));
    });

    it("flags a missing alert and a budget above the daily limit", async () => {
        expect(messages(await runStackPolicy(dailyCostAlert, [gkeCluster()]))).toEqual([
            expect.stringContaining("the daily cost alert is missing (no billing budget or Databricks cost alert)"),
        ]);
        const [message] = messages(await runStackPolicy(dailyCostAlert, [budget(60000)]));
        expect(message).toContain("60000 USD per month is $1973/day, above 30417 per month");
        expect(messages(await runStackPolicy(dailyCostAlert, [budget(30000, { thresholdRules: [] })])).join()).toContain("no threshold rule");
    });

    it("accepts a Databricks cost alert at the limit, and refuses one above it", async () => {
        const stack = (threshold: number): Fixture[] => [
            { type: "databricks:index/query:Query", name: "daily-cost", props: { displayName: "Daily cost", queryText: "SELECT date, SUM(compute_cost) AS cost FROM cost_metrics GROUP BY date", warehouseId: "w" } },
            {
                type: "databricks:index/alert:Alert",
                name: "daily-cost",
                props: {
                    displayName: "Daily cost above limit",
                    queryId: "q",
                    condition: { op: "GREATER_THAN", operand: { column: { name: "cost" } }, threshold: { value: { doubleValue: threshold } } },
                },
                propertyDependencies: { queryId: ["daily-cost"] },
            },
        ];
        // Fixture names must be unique per stack: rename the query.
        const named = (fixtures: Fixture[]) => {
            fixtures[0].name = "daily-cost-query";
            fixtures[1].propertyDependencies = { queryId: ["daily-cost-query"] };
            return fixtures;
        };
        expect(messages(await runStackPolicy(dailyCostAlert, named(stack(1000))))).toEqual([]);
        expect(messages(await runStackPolicy(dailyCostAlert, named(stack(2500)))).join()).toContain("it fires above $2500/day");
    });

    it("skips a budget whose amount is not known yet", async () => {
        expect(messages(await runStackPolicy(dailyCostAlert, [budget(0, { amount: unknown })]))).toEqual([]);
    });
});

describe("utilization-alerts", () => {
    const filter = 'metric.type="kubernetes.io/node/accelerator/duty_cycle" AND resource.labels.cluster_name="ml-gke"';

    it("is not applicable before the monitoring phase", async () => {
        expect((await runStackPolicy(utilizationAlerts, pools(5, 3))).notApplicable).toContain("before phase 3");
    });

    it("reads a workspace-wide utilisation query (grouped by cluster_id) as covering every cluster, a filtered one as not", async () => {
        const withQuery = (queryText: string): Fixture[] => [
            ...pools(5, 3).map((f) => (f.type === "pulumi:pulumi:Stack" ? stackRoot(3) : f)),
            gpuAlert("gpu-utilisation", filter, 85, "COMPARISON_LT", { dependsOn: ["ml-gke"] }),
            a100Cluster(),
            { type: "databricks:index/query:Query", name: "dbu-query", props: { displayName: "Workspace DBU utilisation", queryText } },
            {
                type: "databricks:index/alert:Alert",
                name: "dbu-utilisation",
                props: {
                    displayName: "DBU utilisation below the floor",
                    condition: { op: "LESS_THAN", operand: { column: { name: "dbu_utilization" } }, threshold: { value: { doubleValue: 0.8 } } },
                },
                propertyDependencies: { queryId: ["dbu-query"] },
            },
        ];
        const grouped =
            "WITH busy AS (SELECT cluster_id, AVG(cpu_user_percent / 100) AS u FROM system.compute.node_timeline GROUP BY cluster_id) " +
            "SELECT SUM(d.dbus * b.u) / SUM(d.dbus) AS dbu_utilization FROM dbus d LEFT JOIN busy b ON b.cluster_id = d.cluster_id";
        expect(messages(await runStackPolicy(utilizationAlerts, withQuery(grouped)))).toEqual([]);
        const filtered = "SELECT AVG(cpu_user_percent / 100) AS dbu_utilization FROM system.compute.node_timeline WHERE cluster_id = 'another-cluster'";
        expect(messages(await runStackPolicy(utilizationAlerts, withQuery(filtered))).join()).toContain('"a100": utilisation alerting is no alert');
    });

    it("passes a cluster-wide GPU alert at 85% and a Databricks alert at 80% in phase 3", async () => {
        const fixtures: Fixture[] = [
            ...pools(5, 3).map((f) => (f.type === "pulumi:pulumi:Stack" ? stackRoot(3) : f)),
            gpuAlert("gpu-utilisation", filter, 85, "COMPARISON_LT", { dependsOn: ["ml-gke"] }),
            a100Cluster(),
            {
                type: "databricks:index/query:Query",
                name: "a100-utilisation",
                props: { displayName: "A100 utilisation", queryText: "SELECT avg(cpu_user_percent) / 100 AS utilisation FROM system.compute.node_timeline WHERE cluster_id = 'x'" },
                dependsOn: ["a100"],
            },
            {
                type: "databricks:index/alert:Alert",
                name: "a100-utilisation-alert",
                props: { displayName: "A100 utilisation below floor", queryId: "q", condition: { op: "LESS_THAN", operand: { column: { name: "utilisation" } }, threshold: { value: { doubleValue: 0.8 } } } },
                propertyDependencies: { queryId: ["a100-utilisation"] },
            },
        ];
        expect(messages(await runStackPolicy(utilizationAlerts, fixtures))).toEqual([]);
    });

    it("flags an uncovered pool, a lax threshold and an uncovered Databricks cluster", async () => {
        const fixtures: Fixture[] = [
            stackRoot(3),
            gkeCluster(),
            gpuPool("h100-spot", { spot: true, max: 5 }),
            gpuPool("h100-on-demand", { spot: false, max: 3 }),
            gpuAlert("spot-only", `${filter} AND metadata.system_labels.node_pool_name="h100-spot"`, 0.5),
            a100Cluster(),
        ];
        const outcome = await runStackPolicy(utilizationAlerts, fixtures);
        expect(messages(outcome)).toEqual([
            expect.stringContaining('"h100-spot": GPU utilisation alerting is an alert below 50% (spot-only); required: an alert firing when utilisation drops below 85%'),
            expect.stringContaining('"h100-on-demand": GPU utilisation alerting is no alert'),
            expect.stringContaining('databricks:index/cluster:Cluster "a100": utilisation alerting is no alert; required: an alert firing when utilisation drops below 80%'),
        ]);
    });
});

describe("gpu-memory-fraction (advisory)", () => {
    it("is advisory: the seed gives the fraction as a tuning target", () => {
        expect(gpuMemoryFraction.enforcementLevel).toBe("advisory");
    });

    it("passes 0.85 in Spark conf and job parameters", async () => {
        expect(messages(await runResourcePolicy(gpuMemoryFraction, a100Cluster()))).toEqual([]);
        expect(messages(await runResourcePolicy(gpuMemoryFraction, trainingJob()))).toEqual([]);
    });

    it("flags fractions above 0.85 wherever they are set", async () => {
        const cluster = a100Cluster({ sparkConf: { "spark.rapids.memory.gpu.allocFraction": "0.95" } });
        expect(messages(await runResourcePolicy(gpuMemoryFraction, cluster))).toEqual([
            expect.stringContaining('sparkConf["spark.rapids.memory.gpu.allocFraction"] is 0.95; required: at most 0.85'),
        ]);
        const job = trainingJob({}, {
            tasks: [{ taskKey: "training", sparkPythonTask: { pythonFile: "train.py", parameters: ["--epochs", "3", "--gpu-memory-fraction", "0.92"] } }],
        });
        expect(messages(await runResourcePolicy(gpuMemoryFraction, job))).toEqual([
            expect.stringContaining("tasks[0].sparkPythonTask.parameters[2] is 0.92"),
        ]);
    });
});
