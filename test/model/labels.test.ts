/** Labels and phases, read one way for the pack, the cost model and the reports. */
import { describe, expect, it } from "vitest";
import { labelOf, labelPlace, labelsOf, phaseOf, stackPhase } from "../../tools/model/labels";
import { resourceTypes } from "../../tools/model/resourceTypes";
import { isUnknown, unknown } from "../../tools/model/values";

const labels = { team: "ml", phase: "phase-2", workload: "training" };

describe("labelsOf", () => {
    it("reads the label property of the static table", () => {
        expect(labelsOf("gcp:storage/bucket:Bucket", { labels })).toEqual(labels);
        expect(labelsOf(resourceTypes.gkeCluster, { resourceLabels: labels })).toEqual(labels);
        expect(labelsOf(resourceTypes.databricksCluster, { customTags: labels })).toEqual(labels);
    });

    it("reads the places the table cannot name: node pools, jobs and SQL warehouses", () => {
        expect(labelsOf(resourceTypes.gkeNodePool, { nodeConfig: { labels: { workload: "k8s-only" }, resourceLabels: labels } })).toEqual(labels);
        expect(labelsOf(resourceTypes.databricksJob, { tags: labels })).toEqual(labels);
        expect(labelsOf(resourceTypes.sqlEndpoint, { tags: { customTags: [{ key: "phase", value: "phase-1" }, { key: "team", value: unknown }] } })).toEqual({ phase: "phase-1", team: unknown });
        // Any key not yet known might be the one looked for: the whole map is unknown.
        expect(isUnknown(labelsOf(resourceTypes.sqlEndpoint, { tags: { customTags: [{ key: "phase", value: "phase-1" }, { key: unknown, value: "x" }] } }))).toBe(true);
        expect(labelPlace(resourceTypes.sqlEndpoint)).toBe("tags.customTags");
        expect(labelPlace(resourceTypes.gkeNodePool)).toBe("nodeConfig.resourceLabels");
    });

    it("is undefined for a type without labels, or a resource that sets none, and unknown while the map is", () => {
        expect(labelsOf("gcp:compute/network:Network", { labels })).toBeUndefined();
        expect(labelPlace("gcp:compute/network:Network")).toBeUndefined();
        expect(labelsOf("gcp:storage/bucket:Bucket", {})).toBeUndefined();
        expect(isUnknown(labelsOf("gcp:storage/bucket:Bucket", { labels: unknown }))).toBe(true);
        expect(isUnknown(labelsOf(resourceTypes.gkeNodePool, { nodeConfig: unknown }))).toBe(true);
    });
});

describe("labelOf, phaseOf and stackPhase", () => {
    it("reads one known label, and the phase that added a resource", () => {
        expect(labelOf("gcp:storage/bucket:Bucket", { labels }, "workload")).toBe("training");
        expect(labelOf("gcp:storage/bucket:Bucket", { labels: { workload: unknown } }, "workload")).toBeUndefined();
        expect(phaseOf(resourceTypes.databricksJob, { tags: labels })).toBe(2);
        expect(phaseOf(resourceTypes.databricksJob, { tags: { phase: "two" } })).toBeUndefined();
    });

    it("takes the stack's phase output first, else the newest phase label", () => {
        const bucket = { type: "gcp:storage/bucket:Bucket", props: { labels } };
        const pool = { type: resourceTypes.gkeNodePool, props: { nodeConfig: { resourceLabels: { phase: "phase-0" } } } };
        expect(stackPhase([{ type: "pulumi:pulumi:Stack", props: { phase: 3 } }, bucket])).toEqual({ phase: 3, from: "the stack output `phase`" });
        expect(stackPhase([{ type: "pulumi:pulumi:Stack", props: { phase: unknown } }, bucket, pool])).toEqual({ phase: 2, from: "the resources' `phase` labels" });
        expect(stackPhase([pool])?.phase).toBe(0);
        expect(stackPhase([])).toBeUndefined();
    });
});
