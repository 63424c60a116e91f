import { describe, expect, it } from "vitest";
import { deltaTableProperties } from "../../domain/targets";
import { c4aHyperdisk } from "../../policies/pitfalls/c4aHyperdisk";
import { noDbfsMounts } from "../../policies/pitfalls/dbfsMounts";
import { deltaTableSafety, intervalHours } from "../../policies/pitfalls/deltaTables";
import { gpuRuntimeDedicatedAccess } from "../../policies/pitfalls/gpuRuntimeAccessMode";
import { noPhotonOnGpu } from "../../policies/pitfalls/photonOnGpu";
import { a100Cluster, dataPrepCluster, deltaTable, labels, trainingJob } from "./fixtures";
import { Fixture, runResourcePolicy } from "./policyHarness";

const messages = (o: { violations: { message: string }[] }) => o.violations.map((v) => v.message);

describe("no-photon-on-gpu", () => {
    it("passes Photon on the CPU data-prep cluster and STANDARD on the A100 cluster", async () => {
        expect(messages(await runResourcePolicy(noPhotonOnGpu, dataPrepCluster()))).toEqual([]);
        expect(messages(await runResourcePolicy(noPhotonOnGpu, a100Cluster()))).toEqual([]);
    });

    it("flags Photon on a GPU node type, also inside a job cluster", async () => {
        expect(messages(await runResourcePolicy(noPhotonOnGpu, a100Cluster({ runtimeEngine: "PHOTON" })))).toEqual([
            expect.stringContaining('runtimeEngine is "PHOTON" on GPU compute (node type "a2-highgpu-1g"'),
        ]);
        expect(messages(await runResourcePolicy(noPhotonOnGpu, trainingJob({ runtimeEngine: "PHOTON" })))).toEqual([
            expect.stringContaining("jobClusters[training].newCluster.runtimeEngine"),
        ]);
    });
});

describe("gpu-ml-runtime-dedicated-access", () => {
    it("passes a GPU ML runtime in single-user mode", async () => {
        expect(messages(await runResourcePolicy(gpuRuntimeDedicatedAccess, a100Cluster()))).toEqual([]);
    });

    it("flags shared access and the legacy High Concurrency profile", async () => {
        const cluster = a100Cluster({
            dataSecurityMode: "USER_ISOLATION",
            sparkConf: { "spark.databricks.cluster.profile": "serverless" },
        });
        expect(messages(await runResourcePolicy(gpuRuntimeDedicatedAccess, cluster))).toEqual([
            expect.stringContaining('dataSecurityMode is "USER_ISOLATION" with GPU ML runtime "15.4.x-gpu-ml-scala2.12"; required: one of SINGLE_USER, DATA_SECURITY_MODE_DEDICATED'),
            expect.stringContaining("legacy High Concurrency mode"),
        ]);
    });
});

describe("no-dbfs-mounts", () => {
    it("passes Unity Catalog paths", async () => {
        const table = deltaTable({}, { tableType: "EXTERNAL", storageLocation: "gs://acme-ml-models/models" });
        expect(messages(await runResourcePolicy(noDbfsMounts, table))).toEqual([]);
    });

    it("flags mounts and /mnt locations", async () => {
        const mount: Fixture = { type: "databricks:index/mount:Mount", name: "models", props: { name: "models", gs: { bucketName: "acme-ml-models" } } };
        expect(messages(await runResourcePolicy(noDbfsMounts, mount))).toEqual([expect.stringContaining("the resource is a DBFS mount")]);
        const table = deltaTable({}, { tableType: "EXTERNAL", storageLocation: "/mnt/models" });
        expect(messages(await runResourcePolicy(noDbfsMounts, table))).toEqual([
            expect.stringContaining('storageLocation is "/mnt/models"; required: no DBFS mount paths'),
        ]);
    });
});

describe("delta-table-retention", () => {
    it("reads Delta intervals", () => {
        expect(intervalHours("interval 168 hours")).toBe(168);
        expect(intervalHours("interval 7 days")).toBe(168);
        expect(intervalHours("INTERVAL 1 WEEK")).toBe(168);
        expect(intervalHours("168")).toBeUndefined();
    });

    it("passes a table with the seed's properties", async () => {
        expect(messages(await runResourcePolicy(deltaTableSafety, deltaTable({ ...deltaTableProperties })))).toEqual([]);
    });

    it("flags short retention and missing auto-optimize properties; views are skipped", async () => {
        const table = deltaTable({ "delta.deletedFileRetentionDuration": "interval 24 hours", "delta.autoOptimize.optimizeWrite": "false" });
        expect(messages(await runResourcePolicy(deltaTableSafety, table))).toEqual([
            expect.stringContaining('deletedFileRetentionDuration"] is "interval 24 hours"; required: at least 168 hours'),
            expect.stringContaining('optimizeWrite"] is "false"; required: "true"'),
            expect.stringContaining('autoCompact"] is not set'),
        ]);
        expect(messages(await runResourcePolicy(deltaTableSafety, deltaTable({}, { tableType: "VIEW", viewDefinition: "SELECT 1" })))).toEqual([]);
    });

    it("flags VACUUM below the retention and a disabled retention check", async () => {
        const query: Fixture = {
            type: "databricks:index/query:Query",
            name: "maintenance",
            props: { displayName: "Storage maintenance", warehouseId: "w", queryText: "OPTIMIZE ml.models.models; VACUUM ml.models.models RETAIN 24 HOURS" },
        };
        expect(messages(await runResourcePolicy(deltaTableSafety, query))).toEqual([expect.stringContaining("VACUUM … RETAIN is 24 HOURS")]);
        query.props.queryText = "VACUUM ml.models.models RETAIN 168 HOURS";
        expect(messages(await runResourcePolicy(deltaTableSafety, query))).toEqual([]);
        const cluster = dataPrepCluster({ sparkConf: { "spark.databricks.delta.retentionDurationCheck.enabled": "false" } });
        expect(messages(await runResourcePolicy(deltaTableSafety, cluster))).toEqual([expect.stringContaining("retentionDurationCheck.enabled")]);
    });
});

describe("c4a-hyperdisk", () => {
    const pool = (diskType?: string): Fixture => ({
        type: "gcp:container/nodePool:NodePool",
        name: "c4a-data",
        props: {
            cluster: "ml-gke-id",
            autoscaling: { totalMinNodeCount: 0, totalMaxNodeCount: 4 },
            nodeConfig: { machineType: "c4a-standard-8", ...(diskType ? { diskType } : {}), resourceLabels: labels },
        },
    });

    it("passes hyperdisk-balanced", async () => {
        expect(messages(await runResourcePolicy(c4aHyperdisk, pool("hyperdisk-balanced")))).toEqual([]);
    });

    it("flags Persistent Disk and the pd-balanced default", async () => {
        expect(messages(await runResourcePolicy(c4aHyperdisk, pool("pd-ssd")))).toEqual([
            expect.stringContaining('nodeConfig.diskType is "pd-ssd" for c4a-standard-8; required: one of hyperdisk-balanced'),
        ]);
        expect(messages(await runResourcePolicy(c4aHyperdisk, pool()))).toEqual([expect.stringContaining("not set (defaults to pd-balanced)")]);
    });
});
