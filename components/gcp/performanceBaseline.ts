import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { gcpIdAccepted, gcpIdPattern } from "../../domain/gcpNames";
import { containerImagePattern, cronSchedulePattern, defaultBaselineImage } from "../../domain/performanceBaseline";
import { MigrationComponent } from "../stateful";

export interface PerformanceBaselineArgs {
    project: string;
    region: string;
    /** The results bucket, created here and kept (the Databricks suite reads it from phase 1). */
    bucketName: string;
    /** The bucket folder the run files go to. */
    resultsPrefix: string;
    /** Kubernetes namespace of the workload. */
    namespace: string;
    /**
     * The GKE cluster: its workload identity pool (`<project>.svc.id.goog`) exists once the cluster
     * does, and IAM refuses a binding that names a pool that does not exist yet.
     */
    cluster: pulumi.Resource;
    /** Google service account ID (the part before @) the pods act as through Workload Identity. */
    accountId: string;
    /** A container image with Python 3, PyTorch and CUDA; the `ml_migration` package is mounted into it. */
    image: string;
    /** When the benchmark runs: a five-field cron expression, in UTC. */
    schedule: string;
    /** Keep the CronJob but start no run on its schedule (a run can still be started by hand). */
    suspend: boolean;
    /** The H100 node the run takes whole: its machine type, GKE accelerator label and GPU count. */
    machineType: string;
    accelerator: string;
    gpus: number;
    /** Each process's share of GPU memory, as on the Databricks clusters. */
    gpuMemoryFraction: number;
    /** The `ml_migration` package: file name → source. The same files the Databricks workspace gets. */
    library: Record<string, string>;
    /** From the hybrid phase, where the custom metrics are declared: write them to this project too. */
    metrics?: { project: string; prefix: string };
    labels: Record<string, string>;
}

/** The Kubernetes service account the pods run as. */
export const baselineServiceAccount = "performance-baseline";
/** Where the package is mounted; its parent is on PYTHONPATH. */
const libraryMount = "/opt/ml_migration_lib/ml_migration";
/** The GKE label of an H100 node's GPU type, and the taint GKE puts on every GPU node. */
const acceleratorLabel = "cloud.google.com/gke-accelerator";
const gpuTaintKey = "nvidia.com/gpu";

/**
 * The GCP performance baseline, as code: `python -m ml_migration.baseline` (the same benchmark
 * code as the Databricks suite) on one whole GKE H100 node, on a schedule, writing one result
 * file a run to a bucket that the phase-1 suite loads as `platform = 'gcp'` rows.
 *
 * A CronJob, not a Job: a Job runs once when created and again only when replaced (any change
 * to its template replaces it, so a label or image edit would rerun eight H100s), and Pulumi
 * waits for a Job to finish during `up`. A CronJob keeps the baseline current on its schedule,
 * a run is started at will (`kubectl create job --from=cronjob/...`), and `up` never waits for one.
 *
 * The pods act as a Google service account through Workload Identity (no key): it may create
 * objects in the results bucket (not overwrite them; files are written with
 * `ifGenerationMatch=0`) and, from the hybrid phase, write time series.
 */
export class PerformanceBaseline extends MigrationComponent {
    readonly bucket: gcp.storage.Bucket;
    readonly account: gcp.serviceaccount.Account;
    readonly grants: pulumi.Resource[];
    readonly cronJob: k8s.batch.v1.CronJob;
    /** gs://bucket/prefix: where the run files are. */
    readonly resultsUri: string;

    constructor(name: string, args: PerformanceBaselineArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems = baselineProblems(args);
        if (problems.length > 0) throw new Error(`PerformanceBaseline ${name}: ${problems.join("; ")}`);
        super("migration:gcp:PerformanceBaseline", name, {}, opts);
        const parent = { parent: this };
        this.resultsUri = `gs://${args.bucketName}/${args.resultsPrefix}`;

        this.bucket = new gcp.storage.Bucket(
            `${name}-results`,
            {
                name: args.bucketName,
                location: args.region.toUpperCase(),
                storageClass: "STANDARD",
                uniformBucketLevelAccess: true,
                publicAccessPrevention: "enforced",
                forceDestroy: false,
                labels: args.labels,
            },
            // The baseline every promotion is judged against: kept through rollbacks and destroys.
            parent,
        );
        this.account = new gcp.serviceaccount.Account(
            name,
            { project: args.project, accountId: args.accountId, displayName: "ML platform GCP baseline (GKE benchmark workload)" },
            parent,
        );
        const member = pulumi.interpolate`serviceAccount:${this.account.email}`;
        this.grants = [
            new gcp.storage.BucketIAMMember(`${name}-results-writer`, { bucket: this.bucket.name, role: "roles/storage.objectCreator", member }, parent),
            // The Kubernetes service account acts as the Google one (Workload Identity Federation for GKE).
            new gcp.serviceaccount.IAMMember(
                `${name}-workload-identity`,
                {
                    serviceAccountId: this.account.name,
                    role: "roles/iam.workloadIdentityUser",
                    member: `serviceAccount:${args.project}.svc.id.goog[${args.namespace}/${baselineServiceAccount}]`,
                },
                { ...parent, dependsOn: [args.cluster] },
            ),
            ...(args.metrics
                ? [new gcp.projects.IAMMember(`${name}-metric-writer`, { project: args.metrics.project, role: "roles/monitoring.metricWriter", member }, parent)]
                : []),
        ];

        const k8sLabels = { "app.kubernetes.io/name": "performance-baseline", "app.kubernetes.io/part-of": "ml-migration", ...args.labels };
        const namespace = new k8s.core.v1.Namespace(name, { metadata: { name: args.namespace, labels: k8sLabels } }, parent);
        const serviceAccount = new k8s.core.v1.ServiceAccount(
            name,
            {
                metadata: {
                    name: baselineServiceAccount,
                    namespace: namespace.metadata.name,
                    labels: k8sLabels,
                    annotations: { "iam.gke.io/gcp-service-account": this.account.email },
                },
            },
            parent,
        );
        // Auto-named: a change to the package replaces it, and the CronJob then mounts the new one.
        const library = new k8s.core.v1.ConfigMap(
            `${name}-library`,
            { metadata: { namespace: namespace.metadata.name, labels: k8sLabels }, data: args.library },
            parent,
        );

        const env: Record<string, string> = {
            BASELINE_OUTPUT: this.resultsUri,
            NODE_MACHINE_TYPE: args.machineType,
            BENCHMARK_IMAGE: args.image,
            BASELINE_GPUS: String(args.gpus),
            GPU_MEMORY_FRACTION: String(args.gpuMemoryFraction),
            PYTHONPATH: libraryMount.slice(0, libraryMount.lastIndexOf("/")),
            ...(args.metrics ? { METRICS_PROJECT: args.metrics.project, METRIC_PREFIX: args.metrics.prefix } : {}),
        };
        this.cronJob = new k8s.batch.v1.CronJob(
            name,
            {
                metadata: { namespace: namespace.metadata.name, labels: k8sLabels },
                spec: {
                    schedule: args.schedule,
                    timeZone: "Etc/UTC",
                    suspend: args.suspend,
                    // One run at a time: a run takes a whole node's GPUs.
                    concurrencyPolicy: "Forbid",
                    startingDeadlineSeconds: 3600,
                    successfulJobsHistoryLimit: 3,
                    failedJobsHistoryLimit: 3,
                    jobTemplate: {
                        metadata: { labels: k8sLabels },
                        spec: {
                            // A spot node reclaimed mid-run fails the pod: one more try on another node.
                            backoffLimit: 1,
                            activeDeadlineSeconds: 4 * 3600,
                            template: {
                                metadata: { labels: k8sLabels },
                                spec: {
                                    serviceAccountName: serviceAccount.metadata.name,
                                    restartPolicy: "Never",
                                    nodeSelector: { [acceleratorLabel]: args.accelerator, "kubernetes.io/arch": "amd64" },
                                    tolerations: [{ key: gpuTaintKey, operator: "Exists", effect: "NoSchedule" }],
                                    containers: [
                                        {
                                            name: "baseline",
                                            image: args.image,
                                            command: ["python", "-m", "ml_migration.baseline"],
                                            env: Object.entries(env).map(([envName, value]) => ({ name: envName, value })),
                                            // The whole node's GPUs; limits equal requests for GPUs (Kubernetes requires it).
                                            resources: {
                                                requests: { [gpuTaintKey]: String(args.gpus), cpu: String(4 * args.gpus), memory: `${32 * args.gpus}Gi` },
                                                limits: { [gpuTaintKey]: String(args.gpus) },
                                            },
                                            volumeMounts: [
                                                { name: "library", mountPath: libraryMount, readOnly: true },
                                                // NCCL and the data loaders share memory through /dev/shm; a container's default is 64 MiB.
                                                { name: "dshm", mountPath: "/dev/shm" },
                                            ],
                                        },
                                    ],
                                    volumes: [
                                        { name: "library", configMap: { name: library.metadata.name } },
                                        { name: "dshm", emptyDir: { medium: "Memory", sizeLimit: `${8 * args.gpus}Gi` } },
                                    ],
                                },
                            },
                        },
                    },
                },
            },
            // The first scheduled run must find its identity and its grants in place.
            { ...parent, dependsOn: this.grants },
        );
        this.registerOutputs({ resultsUri: this.resultsUri, schedule: args.schedule });
    }
}

export function baselineProblems(args: PerformanceBaselineArgs): string[] {
    const problems: string[] = [];
    if (!containerImagePattern.test(args.image)) problems.push(`image ${JSON.stringify(args.image)}: expected a container image reference such as ${defaultBaselineImage}`);
    if (!cronSchedulePattern.test(args.schedule)) problems.push(`schedule ${JSON.stringify(args.schedule)}: expected five cron fields, such as "0 4 * * 0"`);
    if (!Number.isInteger(args.gpus) || args.gpus < 1) problems.push(`gpus ${args.gpus}: expected a positive integer`);
    if (!(args.gpuMemoryFraction > 0 && args.gpuMemoryFraction <= 1)) problems.push(`gpuMemoryFraction ${args.gpuMemoryFraction}: expected a number above 0, at most 1`);
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(args.namespace)) problems.push(`namespace ${JSON.stringify(args.namespace)}: expected a Kubernetes name (lowercase letters, digits, '-')`);
    if (!gcpIdPattern.test(args.accountId)) problems.push(`accountId ${JSON.stringify(args.accountId)}: expected ${gcpIdAccepted}`);
    if (!/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/.test(args.bucketName)) problems.push(`bucketName ${JSON.stringify(args.bucketName)}: expected a GCS bucket name`);
    if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(args.resultsPrefix)) problems.push(`resultsPrefix ${JSON.stringify(args.resultsPrefix)}: expected a folder path such as "runs"`);
    if (!("baseline.py" in args.library)) problems.push("library: expected the ml_migration package (baseline.py is missing)");
    for (const file of Object.keys(args.library)) {
        if (!/^[-._a-zA-Z0-9]+$/.test(file)) problems.push(`library file ${JSON.stringify(file)}: a ConfigMap key takes letters, digits, '-', '_' and '.'`);
    }
    return problems;
}
