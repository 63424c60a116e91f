import * as databricks from "@pulumi/databricks";
import * as pulumi from "@pulumi/pulumi";
import { withDependencies } from "../dependencies";
import { AccessControl, isServicePrincipalId } from "../../domain/databricks/access";
import { jobClusterPolicyDefinition, PolicyDefinition, policyAttributes, policyViolations } from "../../domain/databricks/clusterPolicyRules";
import { ClusterSpec, clusterSpecProblems } from "../../domain/databricks/clusterSpec";
import { MigrationComponent } from "../stateful";

export interface JobClusterDefinition {
    spec: ClusterSpec;
    /** Autoscaling bounds, or a fixed `numWorkers` (benchmarks measure a fixed size). */
    autoscale?: { minWorkers: number; maxWorkers: number };
    numWorkers?: number;
}

export interface NotebookTaskDefinition {
    key: string;
    description: string;
    notebookPath: pulumi.Input<string>;
    dependsOn?: string[];
    /** Runs on this job cluster… */
    jobCluster?: string;
    /** …or, for a SQL notebook, on this SQL warehouse. */
    warehouseId?: pulumi.Input<string>;
    timeoutSeconds: number;
    maxRetries: number;
    minRetryIntervalMillis?: number;
}

/**
 * A Databricks SQL alert evaluated as a step of the job, on a SQL warehouse: it runs after the
 * tasks that load its data, and notifies its subscribers when it triggers.
 */
export interface AlertTaskDefinition {
    key: string;
    description: string;
    alertId: pulumi.Input<string>;
    warehouseId: pulumi.Input<string>;
    /** Notification destinations to notify. */
    destinationIds: pulumi.Input<string>[];
    dependsOn?: string[];
    timeoutSeconds: number;
    maxRetries: number;
}

export interface NotebookJobArgs {
    jobName: string;
    description: string;
    tasks: NotebookTaskDefinition[];
    /** SQL alerts the job evaluates, usually after the notebook that loads what they read. */
    alertTasks?: AlertTaskDefinition[];
    jobClusters?: Record<string, JobClusterDefinition>;
    /** Job parameters, passed to every task's notebook widgets. */
    parameters?: Record<string, pulumi.Input<string>>;
    schedule?: { quartzCronExpression: string; timezoneId: string; paused: boolean };
    failureEmails: string[];
    timeoutSeconds: number;
    tags: Record<string, string>;
    /** The application ID of the service principal every run runs as; also the single user of the job's clusters. */
    runAs: string;
    /** Who may see, run or manage the job (`databricks.Permissions`; the deploying identity stays its owner). */
    access: AccessControl[];
    /** Who may use the policy of each job cluster (at least the run-as identity). */
    clusterPolicyAccess: AccessControl[];
}

/** Share of the job's timeout after which a run counts as slow and the same addresses hear of it. */
export const durationWarningShare = 0.8;

/**
 * A Databricks job of notebook tasks: a task graph on job clusters (or a SQL warehouse), and
 * SQL alerts evaluated after them, optionally on a Quartz schedule, with retries, timeouts,
 * failure and slow-run e-mails.
 * Job clusters have no idle timeout: they exist for one run. One run at a time, so a slow
 * run is never overtaken by the next scheduled one.
 */
export class NotebookJob extends MigrationComponent {
    readonly job: databricks.Job;
    /** The policy of each job cluster, by its key. */
    readonly clusterPolicies: Record<string, databricks.ClusterPolicy>;
    readonly permissions?: databricks.Permissions;

    /**
     * `opts.dependsOn` is passed on to the job itself: a component's `dependsOn` does not reach
     * its children, and a job must not be created before what its first run needs (its run-as
     * identity's workspace assignment, grants, tables).
     */
    constructor(name: string, args: NotebookJobArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems = notebookJobProblems(args);
        const definitions = jobClusterPolicies(args);
        for (const [key, definition] of Object.entries(definitions)) {
            const cluster = args.jobClusters![key];
            const violations = policyViolations(definition, policyAttributes(cluster.spec, cluster, { singleUserName: args.runAs }));
            problems.push(...violations.map((v) => `jobClusters.${key} breaks its policy: ${v}`));
        }
        if (problems.length > 0) throw new Error(`NotebookJob ${name}: ${problems.join("; ")}`);
        super("migration:databricks:NotebookJob", name, {}, opts);

        this.clusterPolicies = Object.fromEntries(
            Object.entries(definitions).map(([key, definition]) => [
                key,
                new databricks.ClusterPolicy(
                    `${name}-${key}-policy`,
                    {
                        name: `job ${args.jobName} / ${key}`,
                        description: `The ${key} cluster of the ${args.jobName} job, as the program defines it, running as its service principal`,
                        definition: JSON.stringify(definition),
                    },
                    { parent: this },
                ),
            ]),
        );
        // They name the run-as identity, so they wait for what the job waits for (its workspace assignment).
        const policyPermissions = Object.entries(this.clusterPolicies).map(
            ([key, policy]) =>
                new databricks.Permissions(
                    `${name}-${key}-policy-permissions`,
                    { clusterPolicyId: policy.id, accessControls: args.clusterPolicyAccess },
                    { parent: this, dependsOn: withDependencies(`NotebookJob ${name}`, opts?.dependsOn, []) },
                ),
        );

        this.job = new databricks.Job(
            name,
            {
                name: args.jobName,
                description: args.description,
                runAs: { servicePrincipalName: args.runAs },
                jobClusters: Object.entries(args.jobClusters ?? {}).map(([key, cluster]) => ({
                    jobClusterKey: key,
                    newCluster: {
                        ...cluster.spec,
                        // Dedicated access on a job cluster names the run-as identity, or the run fails its single-user check.
                        singleUserName: args.runAs,
                        policyId: this.clusterPolicies[key].id,
                        applyPolicyDefaultValues: true,
                        ...(cluster.autoscale ? { autoscale: cluster.autoscale } : { numWorkers: cluster.numWorkers }),
                    },
                })),
                tasks: [
                    ...args.tasks.map((task) => ({
                        taskKey: task.key,
                        description: task.description,
                        notebookTask: {
                            notebookPath: task.notebookPath,
                            source: "WORKSPACE",
                            ...(task.warehouseId ? { warehouseId: task.warehouseId } : {}),
                        },
                        ...(task.jobCluster ? { jobClusterKey: task.jobCluster } : {}),
                        ...(task.dependsOn?.length ? { dependsOns: task.dependsOn.map((taskKey) => ({ taskKey })) } : {}),
                        timeoutSeconds: task.timeoutSeconds,
                        maxRetries: task.maxRetries,
                        minRetryIntervalMillis: task.minRetryIntervalMillis ?? 60_000,
                        retryOnTimeout: false,
                    })),
                    ...(args.alertTasks ?? []).map((task) => ({
                        taskKey: task.key,
                        description: task.description,
                        sqlTask: {
                            warehouseId: task.warehouseId,
                            alert: { alertId: task.alertId, subscriptions: task.destinationIds.map((destinationId) => ({ destinationId })), pauseSubscriptions: false },
                        },
                        ...(task.dependsOn?.length ? { dependsOns: task.dependsOn.map((taskKey) => ({ taskKey })) } : {}),
                        timeoutSeconds: task.timeoutSeconds,
                        maxRetries: task.maxRetries,
                        minRetryIntervalMillis: 60_000,
                        retryOnTimeout: false,
                    })),
                ],
                parameters: Object.entries(args.parameters ?? {}).map(([paramName, value]) => ({ name: paramName, default: value })),
                ...(args.schedule
                    ? {
                          schedule: {
                              quartzCronExpression: args.schedule.quartzCronExpression,
                              timezoneId: args.schedule.timezoneId,
                              pauseStatus: args.schedule.paused ? "PAUSED" : "UNPAUSED",
                          },
                      }
                    : {}),
                emailNotifications: {
                    onFailures: args.failureEmails,
                    onDurationWarningThresholdExceededs: args.failureEmails,
                    noAlertForSkippedRuns: false,
                },
                health: {
                    rules: [{ metric: "RUN_DURATION_SECONDS", op: "GREATER_THAN", value: Math.round(args.timeoutSeconds * durationWarningShare) }],
                },
                timeoutSeconds: args.timeoutSeconds,
                maxConcurrentRuns: 1,
                tags: args.tags,
            },
            // The cluster policies' permissions first: the run-as identity launches the clusters under them.
            { parent: this, dependsOn: withDependencies(`NotebookJob ${name}`, opts?.dependsOn, policyPermissions) },
        );
        if (args.access.length > 0) {
            this.permissions = new databricks.Permissions(`${name}-permissions`, { jobId: this.job.id, accessControls: args.access }, { parent: this });
        }
        this.registerOutputs({ jobId: this.job.id, url: this.job.url });
    }
}

/** The policy each job cluster runs under, derived from the cluster (clusterPolicyRules.ts). */
export function jobClusterPolicies(args: Pick<NotebookJobArgs, "jobClusters" | "runAs">): Record<string, PolicyDefinition> {
    return Object.fromEntries(Object.entries(args.jobClusters ?? {}).map(([key, cluster]) => [key, jobClusterPolicyDefinition(cluster.spec, cluster, args.runAs)]));
}

const taskKeyPattern = /^[A-Za-z0-9_-]{1,100}$/;
const emailPattern = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Every problem with a job definition, each naming the field, the value and what is accepted. */
export function notebookJobProblems(args: NotebookJobArgs): string[] {
    const problems: string[] = [];
    if (args.jobName.trim() === "") problems.push("jobName: expected a name");
    if (args.tasks.length === 0) problems.push("tasks: expected at least one task");
    const alertTasks = args.alertTasks ?? [];
    problems.push(...taskGraphProblems([...args.tasks, ...alertTasks]));
    for (const task of alertTasks) {
        if (task.destinationIds.length === 0) problems.push(`alert task ${task.key}: expected at least one notification destination, or it would notify nobody`);
        if (!Number.isInteger(task.timeoutSeconds) || task.timeoutSeconds <= 0 || task.timeoutSeconds > args.timeoutSeconds) {
            problems.push(`alert task ${task.key} timeoutSeconds ${task.timeoutSeconds}: expected a positive integer, at most the job's ${args.timeoutSeconds}`);
        }
        if (!Number.isInteger(task.maxRetries) || task.maxRetries < 0 || task.maxRetries > 10) {
            problems.push(`alert task ${task.key} maxRetries ${task.maxRetries}: expected an integer from 0 to 10`);
        }
    }

    const clusters = args.jobClusters ?? {};
    const used = new Set<string>();
    for (const task of args.tasks) {
        if (Boolean(task.jobCluster) === Boolean(task.warehouseId)) {
            problems.push(`task ${task.key}: expected exactly one of jobCluster or warehouseId`);
        }
        if (task.jobCluster) {
            used.add(task.jobCluster);
            if (!clusters[task.jobCluster]) {
                problems.push(`task ${task.key}: jobCluster ${JSON.stringify(task.jobCluster)} is not one of ${Object.keys(clusters).join(", ") || "(none)"}`);
            }
        }
        if (!Number.isInteger(task.timeoutSeconds) || task.timeoutSeconds <= 0 || task.timeoutSeconds > args.timeoutSeconds) {
            problems.push(`task ${task.key} timeoutSeconds ${task.timeoutSeconds}: expected a positive integer, at most the job's ${args.timeoutSeconds}`);
        }
        if (!Number.isInteger(task.maxRetries) || task.maxRetries < 0 || task.maxRetries > 10) {
            problems.push(`task ${task.key} maxRetries ${task.maxRetries}: expected an integer from 0 to 10`);
        }
    }
    for (const [key, cluster] of Object.entries(clusters)) {
        if (!used.has(key)) problems.push(`jobClusters.${key}: no task runs on it`);
        if (Boolean(cluster.autoscale) === (cluster.numWorkers !== undefined)) {
            problems.push(`jobClusters.${key}: expected exactly one of autoscale or numWorkers`);
        }
        if (cluster.autoscale && !(cluster.autoscale.minWorkers >= 0 && cluster.autoscale.maxWorkers > cluster.autoscale.minWorkers)) {
            problems.push(`jobClusters.${key}.autoscale ${cluster.autoscale.minWorkers}-${cluster.autoscale.maxWorkers}: expected 0 ≤ min < max`);
        }
        problems.push(...clusterSpecProblems(cluster.spec).map((p) => `jobClusters.${key}: ${p}`));
    }
    if (!Number.isInteger(args.timeoutSeconds) || args.timeoutSeconds <= 0) {
        problems.push(`timeoutSeconds ${args.timeoutSeconds}: expected a positive integer`);
    }
    if (args.schedule) {
        const fields = args.schedule.quartzCronExpression.trim().split(/\s+/);
        if (fields.length < 6 || fields.length > 7) {
            problems.push(
                `schedule.quartzCronExpression ${JSON.stringify(args.schedule.quartzCronExpression)}: ` +
                    'expected a Quartz expression (seconds first, 6-7 fields) such as "0 0 * * * ?"',
            );
        }
        if (args.schedule.timezoneId.trim() === "") problems.push("schedule.timezoneId: expected a Java time zone ID such as UTC");
    }
    if (!isServicePrincipalId(args.runAs)) {
        problems.push(`runAs ${JSON.stringify(args.runAs)}: expected a service principal's application ID (a UUID), so runs and what they create are not owned by a person or the deploying account`);
    }
    const runAsCanUsePolicies = args.clusterPolicyAccess.some((c) => c.servicePrincipalName === args.runAs && c.permissionLevel === "CAN_USE");
    if (Object.keys(args.jobClusters ?? {}).length > 0 && !runAsCanUsePolicies) {
        problems.push(`clusterPolicyAccess: expected CAN_USE for the run-as service principal ${args.runAs}, which launches the job's clusters`);
    }
    if (args.failureEmails.length === 0) problems.push("failureEmails: expected at least one address");
    for (const email of args.failureEmails) {
        if (!emailPattern.test(email)) problems.push(`failureEmails: ${JSON.stringify(email)} is not an e-mail address`);
    }
    return problems;
}

/** Unique keys, known dependencies, no cycles. */
export function taskGraphProblems(tasks: readonly Pick<NotebookTaskDefinition, "key" | "dependsOn">[]): string[] {
    const problems: string[] = [];
    const keys = new Set<string>();
    for (const task of tasks) {
        if (!taskKeyPattern.test(task.key)) problems.push(`task key ${JSON.stringify(task.key)}: expected 1-100 letters, digits, '_' or '-'`);
        if (keys.has(task.key)) problems.push(`task key ${JSON.stringify(task.key)}: defined twice`);
        keys.add(task.key);
    }
    for (const task of tasks) {
        for (const dep of task.dependsOn ?? []) {
            if (!keys.has(dep)) problems.push(`task ${task.key}: depends on unknown task ${JSON.stringify(dep)}`);
        }
    }
    const state = new Map<string, "visiting" | "done">();
    const byKey = new Map(tasks.map((t) => [t.key, t]));
    const visit = (key: string, trail: string[]): void => {
        if (state.get(key) === "done") return;
        if (state.get(key) === "visiting") {
            problems.push(`tasks: dependency cycle ${[...trail.slice(trail.indexOf(key)), key].join(" → ")}`);
            return;
        }
        state.set(key, "visiting");
        for (const dep of byKey.get(key)?.dependsOn ?? []) if (byKey.has(dep)) visit(dep, [...trail, key]);
        state.set(key, "done");
    };
    for (const task of tasks) visit(task.key, []);
    return problems;
}
