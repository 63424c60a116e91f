import { beforeAll, describe, expect, it } from "vitest";
import { labelProperty, requiredLabelKeys } from "../../domain/labels";
import { countByType, isProviderType, programResources, ResourceGraph } from "../../tools/model/graph";
import { byName, byType, runStack } from "../harness";
import { expectApisAwaited } from "./googleApis";

const nodePool = "gcp:container/nodePool:NodePool";
const statefulTypes = ["gcp:bigquery/dataset:Dataset", "gcp:storage/bucket:Bucket"];

describe.each(["dev", "prod"])("phase 0 of %s", (stack) => {
    let graph: ResourceGraph;
    beforeAll(async () => {
        graph = await runStack(stack);
    });

    it("has the GCP baseline's resources", () => {
        const counts = countByType(programResources(graph));
        expect(counts).toMatchObject({
            "pulumi:providers:gcp": 1,
            "gcp:compute/network:Network": 1,
            "gcp:compute/subnetwork:Subnetwork": 1,
            "gcp:compute/router:Router": 1,
            "gcp:compute/routerNat:RouterNat": 1,
            "gcp:container/cluster:Cluster": 1,
            // The GKE nodes' account and the performance baseline's.
            "gcp:serviceaccount/account:Account": 2,
            "gcp:projects/iAMMember:IAMMember": 5,
            "gcp:storage/bucket:Bucket": 1,
            "pulumi:providers:kubernetes": 1,
            "kubernetes:core/v1:Namespace": 1,
            "kubernetes:core/v1:ServiceAccount": 1,
            "kubernetes:core/v1:ConfigMap": 1,
            "kubernetes:batch/v1:CronJob": 1,
            "gcp:bigquery/dataset:Dataset": 1,
            "gcp:pubsub/topic:Topic": 1,
            "gcp:billing/budget:Budget": 1,
            "gcp:cloudquota/sQuotaPreference:SQuotaPreference": 3,
        });
        // dev runs its H100 capacity all on spot: no on-demand pool. prod has both.
        expect(counts[nodePool]).toBe(stack === "dev" ? 2 : 3);
        expect(counts["gcp:monitoring/notificationChannel:NotificationChannel"]).toBe(stack === "dev" ? 1 : 2);
    });

    it("enables every Google API it uses as code, and each resource waits for its APIs", () => {
        expectApisAwaited(graph);
    });

    it("labels every labelable resource with the five keys", () => {
        const labelable = programResources(graph).filter((r) => r.custom && labelProperty(r.type));
        expect(labelable.length).toBeGreaterThanOrEqual(4);
        for (const resource of labelable) {
            const labels = resource.inputs[labelProperty(resource.type)!] as Record<string, string> | undefined;
            expect(Object.keys(labels ?? {}), resource.urn).toEqual(expect.arrayContaining([...requiredLabelKeys]));
            expect(labels!.env).toBe(stack);
        }
        for (const pool of byType(graph, nodePool)) {
            const nodeConfig = pool.inputs.nodeConfig as { resourceLabels: Record<string, string> };
            expect(Object.keys(nodeConfig.resourceLabels)).toEqual(expect.arrayContaining([...requiredLabelKeys]));
        }
    });

    it("protects and retains every stateful resource", () => {
        const stateful = programResources(graph).filter((r) => statefulTypes.includes(r.type));
        expect(stateful.length).toBeGreaterThan(0);
        for (const r of stateful) {
            expect(r.protect, r.urn).toBe(true);
            expect(r.retainOnDelete, r.urn).toBe(true);
        }
    });

    it("creates every custom resource inside a component, through the explicit GCP or Kubernetes provider", () => {
        const provider = byType(graph, "pulumi:providers:gcp")[0];
        expect(provider.inputs).toMatchObject({ project: `acme-ml-${stack}`, region: "us-central1", userProjectOverride: "true" });
        const kubernetes = byType(graph, "pulumi:providers:kubernetes")[0];
        const components = new Set(programResources(graph).filter((r) => !r.custom).map((r) => r.urn));
        for (const r of programResources(graph).filter((r) => r.custom && !r.external && !isProviderType(r.type))) {
            expect(components.has(r.parent!), `${r.urn} parent`).toBe(true);
            const expected = r.type.startsWith("kubernetes:") ? kubernetes : provider;
            expect(r.provider?.startsWith(`${expected.urn}::`), `${r.urn} provider`).toBe(true);
        }
    });

    it("runs the GCP performance baseline on the H100 pool, into a bucket phase 1 reads", () => {
        // The Kubernetes provider is built from the cluster's outputs: unknown in a preview of a new stack.
        const cron = byType(graph, "kubernetes:batch/v1:CronJob")[0].inputs as { spec: { jobTemplate: { spec: { template: { spec: Record<string, any> } } } } }; // eslint-disable-line @typescript-eslint/no-explicit-any
        const pod = cron.spec.jobTemplate.spec.template.spec;
        const gpus = "8"; // both stacks run a3-highgpu-8g: the baseline takes a whole node
        expect(pod.containers[0].resources.requests["nvidia.com/gpu"]).toBe(gpus);
        expect(pod.nodeSelector["cloud.google.com/gke-accelerator"]).toBe("nvidia-h100-80gb");
        const env = Object.fromEntries((pod.containers[0].env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
        expect(env).toMatchObject({ BASELINE_OUTPUT: `gs://acme-ml-${stack}-performance-baseline/runs`, BASELINE_GPUS: gpus, GPU_MEMORY_FRACTION: "0.85" });
        // No metrics before the hybrid phase declares them.
        expect(env.METRICS_PROJECT).toBeUndefined();
        expect(graph.outputs.performanceBaselineResults).toBe(`gs://acme-ml-${stack}-performance-baseline/runs`);
    });

    it("files the quota requests with their own contact, the A100s of every cluster at once and the all-regions ceiling", () => {
        const prefs = byType(graph, "gcp:cloudquota/sQuotaPreference:SQuotaPreference");
        for (const q of prefs) {
            expect(q.inputs.contactEmail).toBe("platform-lead@example.com");
            expect(q.inputs.parent).toBe(`projects/acme-ml-${stack}`);
        }
        const preferred = Object.fromEntries(prefs.map((q) => [q.inputs.quotaId, Number((q.inputs.quotaConfig as { preferredValue: string }).preferredValue)]));
        // dev: 1 H100 node × 8 + 3 + 16 A100s; prod: 8 × 8 + 16 + 48.
        expect(preferred).toEqual(
            stack === "dev"
                ? { "NVIDIA-A100-GPUS-per-project-region": 3, "PREEMPTIBLE-NVIDIA-A100-GPUS-per-project-region": 16, "GPUS-ALL-REGIONS-per-project": 27 }
                : { "NVIDIA-A100-GPUS-per-project-region": 16, "PREEMPTIBLE-NVIDIA-A100-GPUS-per-project-region": 48, "GPUS-ALL-REGIONS-per-project": 128 },
        );
    });

    it("lets on-demand H100 nodes use the project's reservations, spot ones none", () => {
        for (const pool of byType(graph, nodePool).filter((p) => p.name.startsWith("h100-"))) {
            const nodeConfig = pool.inputs.nodeConfig as { spot: boolean; reservationAffinity: { consumeReservationType: string } };
            expect(nodeConfig.reservationAffinity.consumeReservationType, pool.name).toBe(nodeConfig.spot ? "NO_RESERVATION" : "ANY_RESERVATION");
        }
    });

    it("exports the stack outputs", () => {
        expect(graph.outputs).toMatchObject({ phase: 0, gkeCluster: "ml-gke", c4aNodePool: "c4a-data" });
        expect(graph.outputs.h100NodePools).toEqual(stack === "dev" ? ["h100-spot"] : ["h100-on-demand", "h100-spot"]);
    });
});

describe("phase 0 sizes", () => {
    it("dev scales every GPU pool to zero and runs GPUs spot first", async () => {
        const graph = await runStack("dev");
        const spot = byName(graph, nodePool, "h100-spot");
        expect(spot.inputs.autoscaling).toMatchObject({ totalMinNodeCount: 0, totalMaxNodeCount: 1 });
        expect((spot.inputs.nodeConfig as { spot: boolean }).spot).toBe(true);
        expect(byName(graph, nodePool, "c4a-data").inputs.autoscaling).toMatchObject({ totalMinNodeCount: 0 });
    });

    it("prod splits 8 H100 nodes 3 on-demand / 5 spot, at least the seed's 60% spot", async () => {
        const graph = await runStack("prod");
        const onDemand = byName(graph, nodePool, "h100-on-demand").inputs.autoscaling as Record<string, number>;
        const spot = byName(graph, nodePool, "h100-spot").inputs.autoscaling as Record<string, number>;
        expect(onDemand).toMatchObject({ totalMinNodeCount: 2, totalMaxNodeCount: 3 });
        expect(spot).toMatchObject({ totalMinNodeCount: 0, totalMaxNodeCount: 5 });
        expect(spot.totalMaxNodeCount / (spot.totalMaxNodeCount + onDemand.totalMaxNodeCount)).toBeGreaterThanOrEqual(0.6);
    });
});
