import * as databricks from "@pulumi/databricks";
import * as gcp from "@pulumi/gcp";
import { describe, expect, it } from "vitest";
import { catalogPrivileges, catalogReadPrivileges, DeltaStorage, DeltaStorageArgs, storageCredentialRoles } from "../../../components/databricks/deltaStorage";
import { ResourceGraph } from "../../../tools/model/graph";
import { byType, runProgram } from "../../harness";

const labels = { team: "t", env: "e", phase: "phase-1", workload: "storage", "cost-center": "c" };

const args: DeltaStorageArgs = {
    region: "us-central1",
    bucketName: "acme-ml-delta-lake",
    catalog: "ml_dev",
    schemas: { raw: "raw data", ml: "models" },
    volumes: [{ schema: "ml", name: "model_artifacts", comment: "model artifacts" }],
    principals: ["ml-engineer@example.com"],
    readers: ["ml-research"],
    labels,
};

function run(overrides: Partial<DeltaStorageArgs> = {}): Promise<ResourceGraph> {
    return runProgram(() => {
        const gcpProvider = new gcp.Provider("gcp", { project: "acme-ml" });
        const workspace = new databricks.Provider("workspace", { host: "https://1.6.gcp.databricks.com" });
        new DeltaStorage("delta", { ...args, ...overrides }, { providers: [gcpProvider, workspace] });
    });
}

const one = (graph: ResourceGraph, type: string) => {
    const found = byType(graph, type);
    expect(found, type).toHaveLength(1);
    return found[0];
};

describe("DeltaStorage", () => {
    it("keeps Delta data in a private, versioned, uniform-access bucket in the region", async () => {
        const bucket = one(await run(), "gcp:storage/bucket:Bucket");
        expect(bucket.inputs).toMatchObject({
            name: "acme-ml-delta-lake",
            location: "US-CENTRAL1",
            uniformBucketLevelAccess: true,
            publicAccessPrevention: "enforced",
            versioning: { enabled: true },
            forceDestroy: false,
            labels,
        });
        expect(bucket.inputs.lifecycleRules).toEqual([{ action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 30 } }]);
    });

    it("grants Unity Catalog's own service account the documented roles on the bucket, before registering the location", async () => {
        const graph = await run();
        const credential = one(graph, "databricks:index/storageCredential:StorageCredential");
        expect(credential.inputs).toMatchObject({ name: "ml_dev_gcs", databricksGcpServiceAccount: {}, isolationMode: "ISOLATION_MODE_ISOLATED" });
        expect(credential.inputs.gcpServiceAccountKey).toBeUndefined();
        const email = (credential.outputs.databricksGcpServiceAccount as { email: string }).email;
        const members = byType(graph, "gcp:storage/bucketIAMMember:BucketIAMMember");
        expect(members.map((m) => m.inputs.role).sort()).toEqual([...storageCredentialRoles].sort());
        for (const m of members) expect(m.inputs).toMatchObject({ bucket: "acme-ml-delta-lake", member: `serviceAccount:${email}` });

        const location = one(graph, "databricks:index/externalLocation:ExternalLocation");
        // Not validated on create: the bucket grant it would check takes minutes to propagate.
        expect(location.inputs).toMatchObject({ url: "gs://acme-ml-delta-lake/", credentialName: "ml_dev_gcs", forceDestroy: false, skipValidation: true });
        for (const m of members) expect(location.dependencies).toContain(m.urn);
    });

    it("puts the catalog's managed storage and the external volumes in the bucket, never in DBFS", async () => {
        const graph = await run();
        const location = one(graph, "databricks:index/externalLocation:ExternalLocation");
        const catalog = one(graph, "databricks:index/catalog:Catalog");
        expect(catalog.inputs).toMatchObject({ name: "ml_dev", storageRoot: "gs://acme-ml-delta-lake/managed", isolationMode: "ISOLATED", forceDestroy: false });
        expect(catalog.dependencies).toContain(location.urn);
        expect(byType(graph, "databricks:index/schema:Schema").map((s) => [s.inputs.name, s.inputs.catalogName])).toEqual([
            ["raw", "ml_dev"],
            ["ml", "ml_dev"],
        ]);
        const volume = one(graph, "databricks:index/volume:Volume");
        expect(volume.inputs).toMatchObject({
            catalogName: "ml_dev",
            schemaName: "ml",
            name: "model_artifacts",
            volumeType: "EXTERNAL",
            storageLocation: "gs://acme-ml-delta-lake/volumes/ml/model_artifacts",
        });
        expect(JSON.stringify(graph.resources.map((r) => r.inputs))).not.toMatch(/dbfs:|\/mnt\//);
    });

    it("protects and retains every resource that holds or addresses data", async () => {
        const graph = await run();
        const stateful = [
            "gcp:storage/bucket:Bucket",
            "databricks:index/storageCredential:StorageCredential",
            "databricks:index/externalLocation:ExternalLocation",
            "databricks:index/catalog:Catalog",
            "databricks:index/schema:Schema",
            "databricks:index/volume:Volume",
        ];
        for (const type of stateful) {
            const found = byType(graph, type);
            expect(found.length, type).toBeGreaterThan(0);
            for (const r of found) expect(r, r.urn).toMatchObject({ protect: true, retainOnDelete: true });
        }
        // Grants and IAM bindings hold no data: they may go with the phase.
        for (const r of byType(graph, "gcp:storage/bucketIAMMember:BucketIAMMember")) expect(r.retainOnDelete).toBe(false);
    });

    it("grants the workload identities use of the catalog, and its readers read access", async () => {
        const grants = one(await run(), "databricks:index/grants:Grants");
        expect(grants.inputs).toEqual({
            catalog: "ml_dev",
            grants: [
                { principal: "ml-engineer@example.com", privileges: catalogPrivileges },
                { principal: "ml-research", privileges: catalogReadPrivileges },
            ],
        });
        expect(catalogReadPrivileges.filter((p) => /MODIFY|CREATE|WRITE/.test(p))).toEqual([]);
        // A principal that writes is not granted again as a reader.
        const both = one(await run({ readers: ["ml-engineer@example.com"] }), "databricks:index/grants:Grants");
        expect((both.inputs.grants as unknown[]).length).toBe(1);
    });

    it.each<[Partial<DeltaStorageArgs>, string]>([
        [{ bucketName: "Acme_Bucket!" }, 'bucketName "Acme_Bucket!"'],
        [{ catalog: "ML-Dev" }, 'catalog "ML-Dev"'],
        [{ volumes: [{ schema: "models", name: "artifacts", comment: "" }] }, 'schema "models" is not one of raw, ml'],
        [{ principals: [] }, "principals: expected at least one"],
        [{ schemas: {} }, "schemas: expected at least one schema"],
    ])("refuses %j naming the argument", async (overrides, message) => {
        const error = await run(overrides).catch((e) => e);
        expect(error.message).toContain(`DeltaStorage delta: `);
        expect(error.message).toContain(message);
        expect(error.registered.filter((r: { type: string }) => !r.type.startsWith("pulumi:"))).toEqual([]);
    });
});
