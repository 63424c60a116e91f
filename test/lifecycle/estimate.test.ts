import { describe, expect, it } from "vitest";
import { operationalKpis } from "../../domain/targets";
import { defaultSeconds, estimateStep, typeDurationsSeconds } from "../../tools/lifecycle/estimate";
import { graph, resource } from "../graphs";

describe("estimated wall time of a step", () => {
    const network = resource("gcp:compute/network:Network", "net");
    const cluster = resource("gcp:container/cluster:Cluster", "gke", {}, { dependencies: [network.urn] });
    const component = resource("migration:gcp:GpuNodePool", "pools", {}, { custom: false });
    const pool = resource("gcp:container/nodePool:NodePool", "h100", {}, { parent: component.urn, dependencies: [cluster.urn] });
    const bucket = resource("gcp:storage/bucket:Bucket", "data");
    // Depends on the component, i.e. on every child of it.
    const alert = resource("gcp:monitoring/alertPolicy:AlertPolicy", "alert", {}, { dependencies: [component.urn] });
    const all = graph(network, cluster, component, pool, bucket, alert);

    it("follows the longest dependency chain, not the number of resources", () => {
        const step = { create: [network, cluster, pool, bucket, alert].map((r) => r.urn), update: [], delete: [], retain: [], blocked: [], changes: {} };
        const estimate = estimateStep(graph(), all, step);
        expect(estimate.seconds).toBe(defaultSeconds + typeDurationsSeconds["gcp:container/cluster:Cluster"] + typeDurationsSeconds["gcp:container/nodePool:NodePool"] + defaultSeconds);
        expect(estimate.chain).toEqual([network.urn, cluster.urn, pool.urn, alert.urn]);
        expect(estimate.seconds / 60).toBeGreaterThan(operationalKpis.deploymentMinutes);
    });

    it("counts only what the step touches, and deletions along reversed dependencies", () => {
        const update = { create: [], update: [pool.urn], delete: [], retain: [], blocked: [], changes: {} };
        expect(estimateStep(all, all, update).seconds).toBe(typeDurationsSeconds["gcp:container/nodePool:NodePool"]);
        const teardown = { create: [], update: [], delete: [cluster.urn, pool.urn, alert.urn], retain: [], blocked: [], changes: {} };
        const estimate = estimateStep(all, graph(network, bucket), teardown);
        expect(estimate.chain).toEqual([alert.urn, pool.urn, cluster.urn]);
        expect(estimate.seconds).toBe(30 + 300 + 600);
    });
});
