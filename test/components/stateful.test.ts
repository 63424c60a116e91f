/**
 * The stateful rule (components/stateful.ts): what a component creates is protected and
 * retained on delete exactly when its type is in domain/stateful.ts, without the component
 * writing either option.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { MigrationComponent, protectStateful } from "../../components/stateful";
import { isStateful } from "../../domain/stateful";
import { byType, runProgram } from "../harness";

const bucketType = "gcp:storage/bucket:Bucket";
const topicType = "gcp:pubsub/topic:Topic";

/** A component that writes no protect option: a bucket (stateful) and a topic (not), and one nested. */
class Sample extends MigrationComponent {
    constructor(name: string, nested: boolean, opts?: pulumi.ComponentResourceOptions) {
        super("test:index:Sample", name, {}, opts);
        new gcp.storage.Bucket(`${name}-bucket`, { location: "EU" }, { parent: this });
        new gcp.pubsub.Topic(`${name}-topic`, {}, { parent: this });
        if (nested) new Sample(`${name}-inner`, false, { parent: this });
        this.registerOutputs({});
    }
}

describe("the stateful rule", () => {
    it("reads the types it protects from domain/stateful.ts", () => {
        expect(isStateful(bucketType)).toBe(true);
        expect(isStateful(topicType)).toBe(false);
    });

    it("protects and retains a stateful resource a component creates without writing protect, and nothing else", async () => {
        const graph = await runProgram(() => new Sample("s", true));
        const buckets = byType(graph, bucketType);
        expect(buckets.map((b) => b.name).sort()).toEqual(["s-bucket", "s-inner-bucket"]);
        for (const bucket of buckets) expect([bucket.protect, bucket.retainOnDelete]).toEqual([true, true]);
        const others = graph.resources.filter((r) => r.type !== bucketType);
        expect(byType(graph, topicType)).toHaveLength(2);
        for (const other of others) expect([other.type, other.protect, other.retainOnDelete]).toEqual([other.type, false, false]);
    });

    it("keeps a component's own transformations beside the rule", async () => {
        const seen: string[] = [];
        const graph = await runProgram(
            () =>
                new Sample("t", false, {
                    transformations: [
                        (args) => {
                            seen.push(args.type);
                            return undefined;
                        },
                    ],
                }),
        );
        expect(seen).toEqual(expect.arrayContaining([bucketType, topicType]));
        expect(byType(graph, bucketType)[0].protect).toBe(true);
    });

    it("applies to resources created outside any component once registered for the stack", async () => {
        const graph = await runProgram(() => {
            pulumi.runtime.registerStackTransformation(protectStateful);
            new gcp.storage.Bucket("loose", { location: "EU" });
            new gcp.pubsub.Topic("loose");
        });
        expect([byType(graph, bucketType)[0].protect, byType(graph, bucketType)[0].retainOnDelete]).toEqual([true, true]);
        expect(byType(graph, topicType)[0].protect).toBe(false);
    });
});
