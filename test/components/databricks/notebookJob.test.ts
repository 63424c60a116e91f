import * as databricks from "@pulumi/databricks";
import { describe, expect, it } from "vitest";
import * as gcp from "@pulumi/gcp";
import { accessControls, WorkspaceRoles } from "../../../domain/databricks/access";
import { gpuClusterSpec, photonClusterSpec } from "../../../domain/databricks/clusterSpec";
import { NotebookJob, NotebookJobArgs, notebookJobProblems, taskGraphProblems } from "../../../components/databricks/notebookJob";
import { byType, runProgram } from "../../harness";

const tags = { team: "t" };
const gpu = gpuClusterSpec({ sparkVersion: "15.4.x-gpu-ml-scala2.12", nodeType: "a2-highgpu-1g", customTags: tags });
const cpu = photonClusterSpec({ sparkVersion: "15.4.x-scala2.12", nodeType: "n2-highmem-8", customTags: tags });

const runAs = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a";
const roles: WorkspaceRoles = { clusterUser: "ml-engineer@example.com", jobsRunAs: runAs, operators: ["ml-platform"], viewers: ["ml-research"] };

const args: NotebookJobArgs = {
    jobName: "pipeline",
    description: "d",
    jobClusters: { prep: { spec: cpu, autoscale: { minWorkers: 1, maxWorkers: 4 } }, train: { spec: gpu, numWorkers: 2 } },
    tasks: [
        { key: "prep", description: "p", notebookPath: "/Shared/prep", jobCluster: "prep", timeoutSeconds: 600, maxRetries: 2 },
        { key: "train", description: "t", notebookPath: "/Shared/train", jobCluster: "train", dependsOn: ["prep"], timeoutSeconds: 1200, maxRetries: 1 },
        { key: "report", description: "r", notebookPath: "/Shared/report", warehouseId: "wh-1", dependsOn: ["train"], timeoutSeconds: 300, maxRetries: 0 },
    ],
    parameters: { catalog: "ml_dev" },
    schedule: { quartzCronExpression: "0 0 * * * ?", timezoneId: "UTC", paused: true },
    failureEmails: ["a@example.com"],
    timeoutSeconds: 3000,
    tags,
    runAs,
    access: accessControls("job", roles),
    clusterPolicyAccess: accessControls("jobClusterPolicy", roles),
};

describe("NotebookJob", () => {
    it("builds the job: clusters, task graph, parameters, paused schedule, notifications, timeouts", async () => {
        const graph = await runProgram(() => {
            const workspace = new databricks.Provider("workspace", { host: "https://1.6.gcp.databricks.com" });
            new NotebookJob("pipeline", args, { providers: [workspace] });
        });
        const [job] = byType(graph, "databricks:index/job:Job");
        expect(job.inputs).toMatchObject({
            name: "pipeline",
            maxConcurrentRuns: 1,
            timeoutSeconds: 3000,
            parameters: [{ name: "catalog", default: "ml_dev" }],
            schedule: { quartzCronExpression: "0 0 * * * ?", timezoneId: "UTC", pauseStatus: "PAUSED" },
            emailNotifications: { onFailures: ["a@example.com"], onDurationWarningThresholdExceededs: ["a@example.com"] },
            health: { rules: [{ metric: "RUN_DURATION_SECONDS", op: "GREATER_THAN", value: 2400 }] },
            tags,
        });
        const clusters = job.inputs.jobClusters as { jobClusterKey: string; newCluster: Record<string, unknown> }[];
        expect(clusters[0]).toMatchObject({ jobClusterKey: "prep", newCluster: { runtimeEngine: "PHOTON", autoscale: { minWorkers: 1, maxWorkers: 4 } } });
        expect(clusters[1]).toMatchObject({ jobClusterKey: "train", newCluster: { runtimeEngine: "STANDARD", numWorkers: 2 } });
        // Job clusters live for one run: they take no idle timeout.
        for (const c of clusters) expect(c.newCluster).not.toHaveProperty("autoterminationMinutes");
        const tasks = job.inputs.tasks as Record<string, unknown>[];
        expect(tasks.map((t) => [t.taskKey, t.jobClusterKey, t.dependsOns])).toEqual([
            ["prep", "prep", undefined],
            ["train", "train", [{ taskKey: "prep" }]],
            ["report", undefined, [{ taskKey: "train" }]],
        ]);
        expect(tasks[2].notebookTask).toEqual({ notebookPath: "/Shared/report", source: "WORKSPACE", warehouseId: "wh-1" });
        expect(tasks[0]).toMatchObject({ maxRetries: 2, timeoutSeconds: 600, minRetryIntervalMillis: 60000, retryOnTimeout: false });
    });

    it("finds nothing wrong with a sound definition", () => {
        expect(notebookJobProblems(args)).toEqual([]);
    });

    it.each<[string, Partial<NotebookJobArgs>, string]>([
        ["Photon on the GPU job cluster", { jobClusters: { ...args.jobClusters, train: { spec: { ...gpu, runtimeEngine: "PHOTON" }, numWorkers: 2 } } }, "jobClusters.train: runtimeEngine \"PHOTON\" on a2-highgpu-1g"],
        ["a task on an unknown cluster", { tasks: [{ ...args.tasks[0], jobCluster: "gpu" }, ...args.tasks.slice(1)] }, 'jobCluster "gpu" is not one of prep, train'],
        ["a task with both a cluster and a warehouse", { tasks: [{ ...args.tasks[0], warehouseId: "wh" }, ...args.tasks.slice(1)] }, "task prep: expected exactly one of jobCluster or warehouseId"],
        ["a cron without seconds", { schedule: { quartzCronExpression: "0 * * * *", timezoneId: "UTC", paused: false } }, "expected a Quartz expression (seconds first"],
        ["no failure e-mail", { failureEmails: [] }, "failureEmails: expected at least one address"],
        ["a task longer than the job", { timeoutSeconds: 900 }, "task train timeoutSeconds 1200: expected a positive integer, at most the job's 900"],
        ["a cluster both fixed and autoscaled", { jobClusters: { ...args.jobClusters, train: { spec: gpu, numWorkers: 2, autoscale: { minWorkers: 1, maxWorkers: 2 } } } }, "jobClusters.train: expected exactly one of autoscale or numWorkers"],
    ])("refuses %s", async (_, change, message) => {
        expect(notebookJobProblems({ ...args, ...change }).join("\n")).toContain(message);
        const error = await runProgram(() => new NotebookJob("pipeline", { ...args, ...change })).catch((e) => e);
        expect(error.message).toContain(`NotebookJob pipeline: `);
        expect(error.message).toContain(message);
    });
});

describe("NotebookJob identity and cluster policies", () => {
    it("runs as the service principal, each job cluster under its own policy with the policy's defaults, as its single user", async () => {
        const graph = await runProgram(() => new NotebookJob("pipeline", args));
        const [job] = byType(graph, "databricks:index/job:Job");
        expect(job.inputs.runAs).toEqual({ servicePrincipalName: runAs });
        const policies = byType(graph, "databricks:index/clusterPolicy:ClusterPolicy");
        expect(policies.map((p) => p.inputs.name)).toEqual(["job pipeline / prep", "job pipeline / train"]);
        const clusters = job.inputs.jobClusters as { jobClusterKey: string; newCluster: Record<string, unknown> }[];
        clusters.forEach((c, i) => {
            expect(c.newCluster).toMatchObject({ singleUserName: runAs, applyPolicyDefaultValues: true, policyId: policies[i].id });
        });
        const train = JSON.parse(policies[1].inputs.definition as string);
        expect(train).toMatchObject({
            cluster_type: { type: "fixed", value: "job" },
            single_user_name: { type: "fixed", value: runAs },
            node_type_id: { type: "fixed", value: "a2-highgpu-1g" },
            runtime_engine: { type: "fixed", value: "STANDARD" },
            num_workers: { type: "range", maxValue: 2 },
            "spark_env_vars.GPU_MEMORY_FRACTION": { type: "fixed", value: "0.85" },
        });
        expect(JSON.parse(policies[0].inputs.definition as string)["autoscale.max_workers"]).toMatchObject({ type: "range", maxValue: 4 });
    });

    it("lets the run-as identity and operators use the policies, and operators, the cluster user and viewers use the job", async () => {
        const graph = await runProgram(() => new NotebookJob("pipeline", args));
        const permissions = byType(graph, "databricks:index/permissions:Permissions");
        const jobPermissions = permissions.find((p) => p.inputs.jobId)!;
        expect(jobPermissions.inputs.accessControls).toEqual([
            { userName: "ml-engineer@example.com", permissionLevel: "CAN_MANAGE_RUN" },
            { groupName: "ml-platform", permissionLevel: "CAN_MANAGE" },
            { groupName: "ml-research", permissionLevel: "CAN_VIEW" },
        ]);
        const policyPermissions = permissions.filter((p) => p.inputs.clusterPolicyId);
        expect(policyPermissions).toHaveLength(2);
        for (const p of policyPermissions) {
            expect(p.inputs.accessControls).toEqual([
                { servicePrincipalName: runAs, permissionLevel: "CAN_USE" },
                { groupName: "ml-platform", permissionLevel: "CAN_USE" },
            ]);
        }
        // The job is created once its clusters' policies may be used.
        const [job] = byType(graph, "databricks:index/job:Job");
        expect(job.dependencies).toEqual(expect.arrayContaining(policyPermissions.map((p) => p.urn)));
    });

    it("passes its own dependsOn on to the job, which a component's children do not inherit", async () => {
        const graph = await runProgram(() => {
            const grant = new gcp.pubsub.Topic("first-run-needs-this", {});
            new NotebookJob("pipeline", args, { dependsOn: [grant] });
        });
        const [job] = byType(graph, "databricks:index/job:Job");
        expect(job.dependencies).toContain(byType(graph, "gcp:pubsub/topic:Topic")[0].urn);
    });

    it("refuses a person or the deploying account as the run-as identity, and policies the run-as identity cannot use", () => {
        expect(notebookJobProblems({ ...args, runAs: "ml-engineer@example.com" })).toEqual([
            expect.stringContaining('runAs "ml-engineer@example.com": expected a service principal\'s application ID (a UUID)'),
            expect.stringContaining("clusterPolicyAccess: expected CAN_USE for the run-as service principal ml-engineer@example.com"),
        ]);
        expect(notebookJobProblems({ ...args, clusterPolicyAccess: [{ groupName: "ml-platform", permissionLevel: "CAN_USE" }] })).toEqual([
            `clusterPolicyAccess: expected CAN_USE for the run-as service principal ${runAs}, which launches the job's clusters`,
        ]);
    });

    it("needs no cluster policy for a job that runs only on a SQL warehouse", async () => {
        const sqlOnly: NotebookJobArgs = { ...args, jobClusters: undefined, tasks: [args.tasks[2]].map((t) => ({ ...t, dependsOn: [] })), clusterPolicyAccess: [] };
        expect(notebookJobProblems(sqlOnly)).toEqual([]);
        const graph = await runProgram(() => new NotebookJob("sql-only", sqlOnly));
        expect(byType(graph, "databricks:index/clusterPolicy:ClusterPolicy")).toEqual([]);
        expect(byType(graph, "databricks:index/job:Job")[0].inputs.runAs).toEqual({ servicePrincipalName: runAs });
    });
});

describe("NotebookJob alert tasks", () => {
    const withAlerts: NotebookJobArgs = {
        ...args,
        alertTasks: [
            {
                key: "cost_alert",
                description: "a",
                alertId: "alert-1",
                warehouseId: "wh-1",
                destinationIds: ["dest-1"],
                dependsOn: ["report"],
                timeoutSeconds: 300,
                maxRetries: 1,
            },
        ],
    };

    it("evaluates a SQL alert on the warehouse after the tasks it depends on, notifying its destinations", async () => {
        const graph = await runProgram(() => new NotebookJob("pipeline", withAlerts));
        const tasks = byType(graph, "databricks:index/job:Job")[0].inputs.tasks as Record<string, unknown>[];
        expect(tasks.map((t) => t.taskKey)).toEqual(["prep", "train", "report", "cost_alert"]);
        expect(tasks[3]).toEqual({
            taskKey: "cost_alert",
            description: "a",
            sqlTask: { warehouseId: "wh-1", alert: { alertId: "alert-1", subscriptions: [{ destinationId: "dest-1" }], pauseSubscriptions: false } },
            dependsOns: [{ taskKey: "report" }],
            timeoutSeconds: 300,
            maxRetries: 1,
            minRetryIntervalMillis: 60000,
            retryOnTimeout: false,
        });
    });

    it("refuses an alert that notifies nobody, depends on an unknown task, or outlasts the job", () => {
        const alert = withAlerts.alertTasks![0];
        expect(notebookJobProblems({ ...withAlerts, alertTasks: [{ ...alert, destinationIds: [] }] })).toEqual([
            "alert task cost_alert: expected at least one notification destination, or it would notify nobody",
        ]);
        expect(notebookJobProblems({ ...withAlerts, alertTasks: [{ ...alert, dependsOn: ["load"] }] })).toEqual(['task cost_alert: depends on unknown task "load"']);
        expect(notebookJobProblems({ ...withAlerts, alertTasks: [{ ...alert, key: "prep" }] })).toContain('task key "prep": defined twice');
        expect(notebookJobProblems({ ...withAlerts, alertTasks: [{ ...alert, timeoutSeconds: 5000 }] })).toEqual([
            "alert task cost_alert timeoutSeconds 5000: expected a positive integer, at most the job's 3000",
        ]);
    });
});

describe("taskGraphProblems", () => {
    it("accepts a DAG and reports unknown dependencies, duplicates and cycles", () => {
        expect(taskGraphProblems([{ key: "a" }, { key: "b", dependsOn: ["a"] }, { key: "c", dependsOn: ["a", "b"] }])).toEqual([]);
        expect(taskGraphProblems([{ key: "a", dependsOn: ["z"] }])).toEqual(['task a: depends on unknown task "z"']);
        expect(taskGraphProblems([{ key: "a" }, { key: "a" }])).toEqual(['task key "a": defined twice']);
        expect(taskGraphProblems([{ key: "a", dependsOn: ["c"] }, { key: "b", dependsOn: ["a"] }, { key: "c", dependsOn: ["b"] }])).toEqual([
            "tasks: dependency cycle a → c → b → a",
        ]);
        expect(taskGraphProblems([{ key: "data prep" }])).toEqual(['task key "data prep": expected 1-100 letters, digits, \'_\' or \'-\'']);
    });
});
