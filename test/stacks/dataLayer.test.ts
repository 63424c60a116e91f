import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { dataLayerOf, heldDataPhase, readOwnSnapshot, readStackResourceOutputs, retainedDataPhase, StackSnapshot } from "../../stacks/dataLayer";
import { runStack } from "../harness";

const urn = (chain: string, name: string) => `urn:pulumi:prod::gcp-databricks-migration::${chain}::${name}`;
const bucket = urn("migration:databricks:DeltaStorage$gcp:storage/bucket:Bucket", "delta-bucket");
const bucketIam = urn("migration:databricks:DeltaStorage$gcp:storage/bucketIAMMember:BucketIAMMember", "delta-bucket-admin");
const models = urn("migration:databricks:DeltaTable$databricks:index/sqlTable:SqlTable", "models");
const benchmarks = urn("migration:databricks:DeltaTable$databricks:index/sqlTable:SqlTable", "benchmark-results");
const descriptor = urn("migration:gcp:CustomMetricDescriptors$gcp:monitoring/metricDescriptor:MetricDescriptor", "ml-metrics-daily-cost");
const billing = urn("migration:gcp:CostMonitoring$gcp:bigquery/dataset:Dataset", "cost-billing-export");

describe("which data layers a snapshot holds", () => {
    const snapshot = (entries: [string, string][]): StackSnapshot => Object.fromEntries(entries.map(([u, type]) => [u, { type, outputs: {} }]));

    it("attributes each stateful resource to its phase by component and name", () => {
        expect(dataLayerOf(bucket, "gcp:storage/bucket:Bucket")).toBe(1);
        expect(dataLayerOf(benchmarks, "databricks:index/sqlTable:SqlTable")).toBe(1);
        expect(dataLayerOf(models, "databricks:index/sqlTable:SqlTable")).toBe(2);
        expect(dataLayerOf(descriptor, "gcp:monitoring/metricDescriptor:MetricDescriptor")).toBe(3);
        // Phase 0's data and anything not stateful hold no phase's data layer.
        expect(dataLayerOf(billing, "gcp:bigquery/dataset:Dataset")).toBeUndefined();
        expect(dataLayerOf(bucketIam, "gcp:storage/bucketIAMMember:BucketIAMMember")).toBeUndefined();
        expect(dataLayerOf("not-a-urn", "gcp:storage/bucket:Bucket")).toBeUndefined();
    });

    it("is the highest phase of which the snapshot holds a stateful resource", () => {
        expect(heldDataPhase({})).toBe(0);
        expect(heldDataPhase(snapshot([[billing, "gcp:bigquery/dataset:Dataset"], [bucketIam, "gcp:storage/bucketIAMMember:BucketIAMMember"]]))).toBe(0);
        expect(heldDataPhase(snapshot([[bucket, "gcp:storage/bucket:Bucket"]]))).toBe(1);
        expect(heldDataPhase(snapshot([[bucket, "gcp:storage/bucket:Bucket"], [models, "databricks:index/sqlTable:SqlTable"]]))).toBe(2);
        expect(heldDataPhase(snapshot([[descriptor, "gcp:monitoring/metricDescriptor:MetricDescriptor"]]))).toBe(3);
        expect(retainedDataPhase(0, snapshot([[models, "databricks:index/sqlTable:SqlTable"]]))).toBe(2);
        expect(retainedDataPhase(3, snapshot([[bucket, "gcp:storage/bucket:Bucket"]]))).toBe(3);
    });
});

describe("the data layer a stack keeps", () => {
    it("is the configured phase on a stack that holds nothing yet, read from the stack's snapshot", async () => {
        const graph = await runStack("dev", { "migration:phase": 1 });
        expect(graph.outputs.dataPhase).toBe(1);
        // The snapshot is read with the builtin function, not through a stack reference.
        expect(graph.resources.some((r) => r.type === "pulumi:pulumi:StackReference")).toBe(false);
    });

    it("stays at the highest phase whose data the stack holds, when its outputs say less", async () => {
        const promoted = await runStack("dev", { "migration:phase": 2 });
        // A promotion to 2 that failed: the outputs are still phase 1's, the snapshot holds phase 2's tables.
        const failed = { ...promoted, outputs: { ...promoted.outputs, phase: 1, dataPhase: 1 } };
        expect((await runStack("dev", { "migration:phase": 0 }, [], failed)).outputs.dataPhase).toBe(2);
    });

    it("refuses to run, naming the stack, when the snapshot cannot be read", async () => {
        await pulumi.runtime.setMocks(
            {
                call: (args) => {
                    // The SDK reports a failed call by the error's gRPC details.
                    if (args.token === readStackResourceOutputs) throw Object.assign(new Error("backend unreachable"), { details: "backend unreachable" });
                    return {};
                },
                newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
            },
            "gcp-databricks-migration",
            "prod",
            true,
            "acme",
        );
        await expect(readOwnSnapshot()).rejects.toThrow(/cannot read what stack acme\/gcp-databricks-migration\/prod holds .*backend unreachable.*changes nothing without it/);
    });
});
