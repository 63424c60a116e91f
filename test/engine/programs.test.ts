/**
 * Real-world program shapes through the engine's workers, as `migration plan` runs them: a GKE
 * cluster feeding a Kubernetes provider through `apply`, a provider function with no answer
 * feeding a resource that another depends on, the same answered by the project's file, an
 * ES-module project, and Kubernetes/AWS resources with their own provider versions.
 */
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { toStackExport } from "../../tools/engine/deployment";
import { GraphResource, ResourceGraph } from "../../tools/model/graph";
import { EvaluationResult } from "../../tools/engine/job";
import { runJobs } from "../../tools/engine/pool";
import { unknownPlaceholder } from "../../tools/engine/wire";
import { projectDir } from "../harness";

const fixtures = path.join(projectDir, "test/fixtures");
const jobs = [
    { id: "gke", dir: "gke-kubernetes", stack: "dev" },
    { id: "unanswered", dir: "unanswered-invoke", stack: "dev" },
    { id: "answered", dir: "answered-invoke", stack: "dev" },
    { id: "refused", dir: "answered-invoke", stack: "empty" },
    { id: "esm", dir: "esm-project", stack: "dev" },
    { id: "foreign", dir: "multi-cloud", stack: "dev" },
];

let results: Map<string, EvaluationResult>;
beforeAll(async () => {
    results = await runJobs(
        jobs.map(({ id, dir, stack }) => ({ id, projectDir: path.join(fixtures, dir), stack, overrides: {} })),
        { concurrency: 2 },
    );
}, 240_000);

function graphOf(id: string): ResourceGraph {
    const result = results.get(id)!;
    if (!result.ok) throw new Error(`${id} failed: ${result.error.message}`);
    return result.graph;
}

function failureOf(id: string): { message: string; seconds: number } {
    const result = results.get(id)!;
    if (result.ok) throw new Error(`${id} was expected to fail`);
    return { message: result.error.message, seconds: (result.stats?.durationMs ?? 0) / 1000 };
}

function only(graph: ResourceGraph, type: string): GraphResource {
    const found = graph.resources.filter((r) => r.type === type);
    expect(found, type).toHaveLength(1);
    return found[0];
}

describe("preview semantics", () => {
    it("plans workloads behind a Kubernetes provider built from the cluster's CA certificate, which a preview does not know", () => {
        const graph = graphOf("gke");
        const provider = only(graph, "pulumi:providers:kubernetes");
        // The kubeconfig's `apply` did not run on the unknown masterAuth: it is unknown, not a crash.
        expect(provider.inputs.kubeconfig).toBe(unknownPlaceholder);
        const deployment = only(graph, "kubernetes:apps/v1:Deployment");
        expect(deployment.provider).toBe(`${provider.urn}::${provider.id}`);
        expect(deployment.inputs).toMatchObject({ spec: { replicas: 2 } });
        expect(only(graph, "gcp:container/cluster:Cluster").outputs.masterAuth).toBeUndefined();
        expect(graph.outputs).toMatchObject({ clusterName: "apps" });
    });

    it("loads an ES-module program: .js specifiers of .ts sources, top-level await on a provider function", () => {
        const graph = graphOf("esm");
        const subnets = graph.resources.filter((r) => r.type === "gcp:compute/subnetwork:Subnetwork");
        expect(subnets.map((s) => s.inputs.region)).toEqual(["europe-west4", "europe-west4"]);
        expect(graph.outputs).toEqual({ region: "europe-west4", subnetNames: ["esm-0", "esm-1"] });
    });
});

describe("failures end the evaluation at once, named", () => {
    it("names the resource, its URN, the input path and the provider function with no answer, and where to answer it", () => {
        const { message, seconds } = failureOf("unanswered");
        expect(message).toContain('resource gcp:compute/instanceTemplate:InstanceTemplate "web"');
        expect(message).toContain("(urn:pulumi:dev::image-lookup::gcp:compute/instanceTemplate:InstanceTemplate::web)");
        expect(message).toContain('its input "disks[0].sourceImage" failed');
        expect(message).toContain('provider function "gcp:compute/getImage:getImage" has no offline answer');
        expect(message).toContain(path.join(fixtures, "unanswered-invoke", "migration.mocks.json"));
        // The group that depends on the template is never registered: nothing waits for it.
        expect(seconds).toBeLessThan(30);
    });

    it("names a resource whose answer refused it", () => {
        const { message } = failureOf("refused");
        expect(message).toMatch(
            /resource gcp:compute\/instanceGroupManager:InstanceGroupManager "web" \(urn:pulumi:empty::image-lookup-answered::gcp:compute\/instanceGroupManager:InstanceGroupManager::web\) could not be registered: targetSize 0/,
        );
    });
});

describe("the project's answers file", () => {
    it("answers a provider function and lays computed outputs over a resource's", () => {
        const graph = graphOf("answered");
        const template = only(graph, "gcp:compute/instanceTemplate:InstanceTemplate");
        expect(template.inputs.disks).toEqual([
            { boot: true, sourceImage: "https://www.googleapis.com/compute/v1/projects/debian-cloud/global/images/debian-12-v20250101" },
        ]);
        const group = only(graph, "gcp:compute/instanceGroupManager:InstanceGroupManager");
        expect(group.inputs.versions).toEqual([{ instanceTemplate: unknownPlaceholder }]);
    });
});

describe("a program of other providers", () => {
    it("records the provider version each resource asks for, and exports default providers named by it", () => {
        const graph = graphOf("foreign");
        expect(only(graph, "aws:s3/bucket:Bucket").providerVersion).toBe("6.66.0");
        expect(only(graph, "kubernetes:core/v1:Namespace").providerVersion).toBe("4.34.2");
        const exported = toStackExport(graph).deployment.resources;
        const providers = exported.filter((r) => r.type.startsWith("pulumi:providers:"));
        expect(providers.map((p) => p.urn.split("::").pop()).sort()).toEqual(["default_4_34_2", "default_6_66_0"]);
        expect(exported.find((r) => r.type === "aws:s3/bucket:Bucket")!.provider).toMatch(/::pulumi:providers:aws::default_6_66_0::/);
    });

    it("decodes Kubernetes manifests from YAML as the provider would", () => {
        const graph = graphOf("foreign");
        expect(only(graph, "kubernetes:core/v1:Service").inputs).toMatchObject({ metadata: { name: "web", namespace: "default" }, spec: { ports: [{ port: 80 }] } });
        expect(only(graph, "kubernetes:core/v1:ServiceAccount").inputs).toMatchObject({ metadata: { name: "web" } });
    });
});
