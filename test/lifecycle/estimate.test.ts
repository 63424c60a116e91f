import { describe, expect, it } from "vitest";
import { operationalKpis } from "../../components/targets";
import { GraphResource, ResourceGraph } from "../../tools/engine/graph";
import { defaultSeconds, estimateStep, typeDurationsSeconds } from "../../tools/lifecycle/estimate";

function resource(name: string, type: string, extra: Partial<GraphResource> = {}): GraphResource {
    return {
        urn: `urn:pulumi:dev::p::${type}::${name}`,
        type,
        name,
        custom: !type.startsWith("migration:"),
        inputs: {},
        outputs: {},
        protect: false,
        retainOnDelete: false,
        dependencies: [],
        propertyDependencies: {},
        ignoreChanges: [],
        ...extra,
    };
}

const graph = (resources: GraphResource[]): ResourceGraph => ({ project: "p", stack: "dev", resources, outputs: {} });

describe("estimated wall time of a step", () => {
    const network = resource("net", "gcp:compute/network:Network");
    const cluster = resource("gke", "gcp:container/cluster:Cluster", { dependencies: [network.urn] });
    const component = resource("pools", "migration:gcp:GpuNodePool");
    const pool = resource("h100", "gcp:container/nodePool:NodePool", { parent: component.urn, dependencies: [cluster.urn] });
    const bucket = resource("data", "gcp:storage/bucket:Bucket");
    // Depends on the component, i.e. on every child of it.
    const alert = resource("alert", "gcp:monitoring/alertPolicy:AlertPolicy", { dependencies: [component.urn] });
    const all = graph([network, cluster, component, pool, bucket, alert]);

    it("follows the longest dependency chain, not the number of resources", () => {
        const step = { create: [network, cluster, pool, bucket, alert].map((r) => r.urn), update: [], delete: [], retain: [], blocked: [], changes: {} };
        const estimate = estimateStep(graph([]), all, step);
        expect(estimate.seconds).toBe(defaultSeconds + typeDurationsSeconds["gcp:container/cluster:Cluster"] + typeDurationsSeconds["gcp:container/nodePool:NodePool"] + defaultSeconds);
        expect(estimate.chain).toEqual([network.urn, cluster.urn, pool.urn, alert.urn]);
        expect(estimate.seconds / 60).toBeGreaterThan(operationalKpis.deploymentMinutes);
    });

    it("counts only what the step touches, and deletions along reversed dependencies", () => {
        const update = { create: [], update: [pool.urn], delete: [], retain: [], blocked: [], changes: {} };
        expect(estimateStep(all, all, update).seconds).toBe(typeDurationsSeconds["gcp:container/nodePool:NodePool"]);
        const teardown = { create: [], update: [], delete: [cluster.urn, pool.urn, alert.urn], retain: [], blocked: [], changes: {} };
        const estimate = estimateStep(all, graph([network, bucket]), teardown);
        expect(estimate.chain).toEqual([alert.urn, pool.urn, cluster.urn]);
        expect(estimate.seconds).toBe(30 + 300 + 600);
    });
});
