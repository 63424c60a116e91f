import { describe, expect, it } from "vitest";
import { countChanges, deletesStatefulData, diffResources } from "../../tools/diff/resources";
import { replaceRules, updateKind } from "../../tools/diff/replacement";
import { statefulTypes } from "../../domain/stateful";
import { unknownValue } from "../../tools/engine/wire";
import { bucketType, graph, jobType, nodePoolType, resource, sqlTableType, urnOf } from "../graphs";

const pool = (inputs: Record<string, unknown>) => resource(nodePoolType, "h100-spot", { cluster: "ml-gke", location: "us-central1", ...inputs });

describe("diffResources", () => {
    it("reports added, removed and changed resources with their property paths", () => {
        const before = graph(pool({ autoscaling: { maxNodeCount: 4 } }), resource(jobType, "old-job", { name: "old" }));
        const after = graph(pool({ autoscaling: { maxNodeCount: 8 } }), resource(sqlTableType, "features", { name: "features", catalogName: "ml" }));
        const changes = diffResources(before, after);
        expect(changes.map((c) => [c.name, c.op])).toEqual([
            ["h100-spot", "update"],
            ["features", "create"],
            ["old-job", "delete"],
        ]);
        expect(changes[0].properties).toEqual([{ path: "autoscaling.maxNodeCount", kind: "update", old: 4, new: 8 }]);
        expect(countChanges(changes)).toEqual({ added: 1, removed: 1, changed: 1, replaced: 0, mayReplace: 0, flagged: 0 });
    });

    it("marks a change to a property the provider's schema forces new as a replacement, with the path", () => {
        const changes = diffResources(graph(pool({ nodeConfig: { spot: false, machineType: "a3" } })), graph(pool({ nodeConfig: { spot: true, machineType: "a3" } })));
        expect(changes).toMatchObject([{ op: "replace", reasons: ["nodeConfig.spot forces a new resource"] }]);
    });

    it("says 'may replace' for a computed value in a force-new property, and for types without replacement data", () => {
        const computed = diffResources(graph(pool({ nodeConfig: { serviceAccount: "sa@x" } })), graph(pool({ nodeConfig: { serviceAccount: unknownValue } })));
        expect(computed).toMatchObject([{ op: "may-replace", properties: [{ path: "nodeConfig.serviceAccount", computed: true, new: "[computed]" }] }]);
        const unknownType = diffResources(graph(resource("gcp:pubsub/topic:Topic", "t", { labels: { a: "1" } })), graph(resource("gcp:pubsub/topic:Topic", "t", { labels: { a: "2" } })));
        expect(unknownType).toMatchObject([{ op: "may-replace", reasons: [expect.stringMatching(/no replacement data for gcp:pubsub\/topic:Topic/)] }]);
    });

    it("never replaces a component, and leaves out changes under ignoreChanges", () => {
        const component = (inputs: Record<string, unknown>) => resource("migration:gcp:GpuNodePool", "h100", inputs, { custom: false });
        expect(diffResources(graph(component({ spot: false })), graph(component({ spot: true })))).toMatchObject([{ op: "update" }]);
        const ignoring = (count: number) => pool({ nodeCount: count, nodeConfig: { spot: count > 2 } });
        const ignored = diffResources(graph(ignoring(1)), graph({ ...ignoring(3), ignoreChanges: ["nodeCount", "nodeConfig.spot"] }));
        expect(ignored).toEqual([]);
    });

    it("treats a changed provider reference as 'may replace' (the new provider's DiffConfig decides)", () => {
        const before = pool({});
        const after = { ...pool({}), provider: "urn:pulumi:dev::proj::pulumi:providers:gcp::other::id" };
        expect(diffResources(graph(before), graph(after))).toMatchObject([{ op: "may-replace", reasons: [expect.stringMatching(/provider changed/)] }]);
    });

    it("replaces a resource deleted with a replaced one, even with unchanged inputs", () => {
        const parentPool = (spot: boolean) => pool({ nodeConfig: { spot } });
        const child = resource(jobType, "follower", { name: "f" }, { deletedWith: urnOf(nodePoolType, "h100-spot") });
        const changes = diffResources(graph(parentPool(false), child), graph(parentPool(true), child));
        expect(changes.map((c) => [c.name, c.op])).toEqual([
            ["h100-spot", "replace"],
            ["follower", "replace"],
        ]);
    });

    it("lists stateful and protected losses first, and counts only real deletions as data loss", () => {
        const table = (opts: { protect?: boolean; retainOnDelete?: boolean }) => resource(sqlTableType, "models", { name: "models", catalogName: "ml" }, { protect: false, ...opts });
        const bucket = (location: string) => resource(bucketType, "delta", { name: "delta", location });
        const before = graph(resource(jobType, "a", { name: "a" }), table({ protect: true }), bucket("US"));
        const after = graph(bucket("EU"));
        const changes = diffResources(before, after);
        expect(changes.map((c) => [c.name, c.op, c.flag !== undefined])).toEqual([
            ["delta", "replace", true],
            ["models", "blocked", true],
            ["a", "delete", false],
        ]);
        expect(changes.filter(deletesStatefulData).map((c) => c.name)).toEqual(["delta", "models"]);

        const retained = diffResources(graph(table({ retainOnDelete: true })), graph());
        expect(retained).toMatchObject([{ op: "retain", stateful: true }]);
        expect(retained.filter(deletesStatefulData)).toEqual([]);
    });
});

describe("replacement table", () => {
    it("covers every stateful type, so their replacement is never only a guess", () => {
        const uncovered = statefulTypes.filter((t) => !(t in replaceRules));
        // The program deploys no BigQuery table or registered model (yet): a change to one says "may replace".
        expect(uncovered.sort()).toEqual(["databricks:index/registeredModel:RegisteredModel", "gcp:bigquery/table:Table"]);
    });

    it("replaces a workspace on any input but the ones it updates in place", () => {
        const type = "databricks:index/mwsWorkspaces:MwsWorkspaces";
        const verdict = (path: string) => updateKind({ type, custom: true, providerChanged: false, providerConfigChanged: false, changes: [{ path, kind: "update", old: 1, new: 2 }] }).kind;
        expect(verdict("location")).toBe("replace");
        expect(verdict("customTags.team")).toBe("update");
        expect(verdict("networkId")).toBe("update");
    });
});
