import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { baselineProblems, baselineServiceAccount, PerformanceBaseline, PerformanceBaselineArgs } from "../../../components/gcp/performanceBaseline";
import { gkeKubeconfig } from "../../../components/gcp/gkeCluster";
import { librarySources } from "../../../stacks/phases/library";
import { byName, byType, runProgram } from "../../harness";

const args: Omit<PerformanceBaselineArgs, "cluster"> = {
    project: "acme-ml-prod",
    region: "us-central1",
    bucketName: "acme-ml-prod-performance-baseline",
    resultsPrefix: "runs",
    namespace: "ml-benchmarks",
    accountId: "ml-perf-baseline",
    image: "pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime",
    schedule: "0 4 * * 0",
    suspend: false,
    machineType: "a3-highgpu-8g",
    accelerator: "nvidia-h100-80gb",
    gpus: 8,
    gpuMemoryFraction: 0.85,
    library: librarySources(),
    labels: { team: "ml-platform", env: "prod", phase: "phase-0", workload: "benchmark", "cost-center": "ml-1234" },
};

function baselineGraph(overrides: Partial<PerformanceBaselineArgs> = {}) {
    return runProgram(() => {
        const provider = new k8s.Provider("gke", { kubeconfig: "{}" });
        const cluster = new gcp.container.Cluster("ml-gke", { location: "us-central1" });
        new PerformanceBaseline("performance-baseline", { ...args, cluster, ...overrides }, { providers: [provider] });
    });
}

type Spec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("PerformanceBaseline", () => {
    it("runs python -m ml_migration.baseline on one whole H100 node, on a schedule, one run at a time", async () => {
        const graph = await baselineGraph();
        const cron = byType(graph, "kubernetes:batch/v1:CronJob")[0].inputs as Spec;
        expect(cron.spec).toMatchObject({ schedule: "0 4 * * 0", timeZone: "Etc/UTC", suspend: false, concurrencyPolicy: "Forbid" });
        const pod = cron.spec.jobTemplate.spec.template.spec;
        expect(pod.nodeSelector).toEqual({ "cloud.google.com/gke-accelerator": "nvidia-h100-80gb", "kubernetes.io/arch": "amd64" });
        expect(pod.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
        expect(pod.serviceAccountName).toBe(baselineServiceAccount);
        const [container] = pod.containers;
        expect(container.command).toEqual(["python", "-m", "ml_migration.baseline"]);
        expect(container.image).toBe(args.image);
        expect(container.resources.requests["nvidia.com/gpu"]).toBe("8");
        expect(container.resources.limits["nvidia.com/gpu"]).toBe("8");
        const env = Object.fromEntries(container.env.map((e: Spec) => [e.name, e.value]));
        expect(env).toEqual({
            BASELINE_OUTPUT: "gs://acme-ml-prod-performance-baseline/runs",
            NODE_MACHINE_TYPE: "a3-highgpu-8g",
            BENCHMARK_IMAGE: args.image,
            BASELINE_GPUS: "8",
            GPU_MEMORY_FRACTION: "0.85",
            PYTHONPATH: "/opt/ml_migration_lib",
        });
        // Memory-backed /dev/shm for NCCL, and the package mounted where PYTHONPATH finds it.
        expect(pod.volumes.find((v: Spec) => v.name === "dshm").emptyDir.medium).toBe("Memory");
        expect(container.volumeMounts).toContainEqual({ name: "library", mountPath: "/opt/ml_migration_lib/ml_migration", readOnly: true });
    });

    it("mounts the same ml_migration modules the Databricks workspace gets", async () => {
        const graph = await baselineGraph();
        const library = byType(graph, "kubernetes:core/v1:ConfigMap")[0].inputs as Spec;
        expect(Object.keys(library.data).sort()).toEqual(Object.keys(librarySources()).sort());
        expect(library.data["baseline.py"]).toContain("def main(");
    });

    it("writes through Workload Identity: create-only on a kept bucket, no key", async () => {
        const graph = await baselineGraph();
        const bucket = byType(graph, "gcp:storage/bucket:Bucket")[0];
        expect(bucket.inputs).toMatchObject({ name: "acme-ml-prod-performance-baseline", uniformBucketLevelAccess: true, publicAccessPrevention: "enforced", forceDestroy: false });
        expect(bucket.protect).toBe(true);
        expect(bucket.retainOnDelete).toBe(true);
        expect(byType(graph, "gcp:storage/bucketIAMMember:BucketIAMMember").map((m) => m.inputs.role)).toEqual(["roles/storage.objectCreator"]);
        const binding = byName(graph, "gcp:serviceaccount/iAMMember:IAMMember", "performance-baseline-workload-identity");
        expect(binding.inputs).toMatchObject({
            role: "roles/iam.workloadIdentityUser",
            member: `serviceAccount:acme-ml-prod.svc.id.goog[ml-benchmarks/${baselineServiceAccount}]`,
        });
        // The identity pool the member names exists once the cluster does.
        expect(binding.dependencies).toContain(byType(graph, "gcp:container/cluster:Cluster")[0].urn);
        const ksa = byType(graph, "kubernetes:core/v1:ServiceAccount")[0].inputs as Spec;
        expect(ksa.metadata.name).toBe(baselineServiceAccount);
        expect(Object.keys(ksa.metadata.annotations)).toEqual(["iam.gke.io/gcp-service-account"]);
        expect(byType(graph, "gcp:serviceaccount/key:Key")).toEqual([]);
        // No metrics before they are declared.
        expect(byType(graph, "gcp:projects/iAMMember:IAMMember")).toEqual([]);
    });

    it("writes the custom metrics once the hybrid phase declares them", async () => {
        const graph = await baselineGraph({ metrics: { project: "acme-ml-prod", prefix: "custom.googleapis.com/ml" } });
        expect(byType(graph, "gcp:projects/iAMMember:IAMMember").map((m) => m.inputs.role)).toEqual(["roles/monitoring.metricWriter"]);
        const cron = byType(graph, "kubernetes:batch/v1:CronJob")[0];
        const env = (cron.inputs as Spec).spec.jobTemplate.spec.template.spec.containers[0].env as Spec[];
        expect(env).toContainEqual({ name: "METRICS_PROJECT", value: "acme-ml-prod" });
        // The first run finds its grants in place.
        const grants = [...byType(graph, "gcp:projects/iAMMember:IAMMember"), ...byType(graph, "gcp:storage/bucketIAMMember:BucketIAMMember")];
        expect(cron.dependencies).toEqual(expect.arrayContaining(grants.map((g) => g.urn)));
    });

    it("refuses bad arguments, naming each with what is accepted, before creating anything", () => {
        const problems = baselineProblems({ ...args, cluster: undefined as never, schedule: "@weekly", gpus: 0, image: "Bad Image", gpuMemoryFraction: 1.5, library: { "x y.py": "" } });
        expect(problems).toEqual([
            'image "Bad Image": expected a container image reference such as pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime',
            'schedule "@weekly": expected five cron fields, such as "0 4 * * 0"',
            "gpus 0: expected a positive integer",
            "gpuMemoryFraction 1.5: expected a number above 0, at most 1",
            "library: expected the ml_migration package (baseline.py is missing)",
            `library file "x y.py": a ConfigMap key takes letters, digits, '-', '_' and '.'`,
        ]);
        expect(() => new PerformanceBaseline("b", { ...args, cluster: undefined as never, gpus: 0 })).toThrow(/^PerformanceBaseline b: gpus 0/);
    });
});

describe("the GKE kubeconfig", () => {
    it("authenticates through gke-gcloud-auth-plugin, with the CA only for the IP endpoint", () => {
        const dns = JSON.parse(gkeKubeconfig({ name: "ml-gke", server: "https://gke-abc.us-central1.gke.goog" }));
        expect(dns.clusters[0].cluster).toEqual({ server: "https://gke-abc.us-central1.gke.goog" });
        expect(dns.users[0].user.exec).toMatchObject({ command: "gke-gcloud-auth-plugin", apiVersion: "client.authentication.k8s.io/v1beta1" });
        expect(dns["current-context"]).toBe("ml-gke");
        const ip = JSON.parse(gkeKubeconfig({ name: "ml-gke", server: "https://34.1.2.3", caData: "Q0E=" }));
        expect(ip.clusters[0].cluster).toEqual({ server: "https://34.1.2.3", "certificate-authority-data": "Q0E=" });
        // No stored credential of any kind.
        expect(JSON.stringify([dns, ip])).not.toMatch(/token|password|client-key/);
    });
});
