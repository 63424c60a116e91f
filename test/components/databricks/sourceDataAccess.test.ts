import * as databricks from "@pulumi/databricks";
import * as gcp from "@pulumi/gcp";
import { describe, expect, it } from "vitest";
import { parseGcsUri, SourceDataAccess, sourceReaderRoles } from "../../../components/databricks/sourceDataAccess";
import { byType, runProgram } from "../../harness";

describe("SourceDataAccess", () => {
    it("reads the GCP-side data in place: viewer roles on its bucket and a read-only, retained location", async () => {
        const graph = await runProgram(() => {
            const gcpProvider = new gcp.Provider("gcp", { project: "acme-ml" });
            const workspace = new databricks.Provider("workspace", { host: "https://1.6.gcp.databricks.com" });
            new SourceDataAccess(
                "source",
                { sourceUri: "gs://acme-training/raw/", locationName: "ml_dev_migration_source", credentialName: "ml_dev_gcs", credentialServiceAccount: "uc@x.iam.gserviceaccount.com", readers: ["5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"] },
                { providers: [gcpProvider, workspace] },
            );
        });
        const readers = byType(graph, "gcp:storage/bucketIAMMember:BucketIAMMember");
        expect(readers.map((r) => r.inputs.role).sort()).toEqual([...sourceReaderRoles].sort());
        for (const r of readers) expect(r.inputs).toMatchObject({ bucket: "acme-training", member: "serviceAccount:uc@x.iam.gserviceaccount.com" });
        const [location] = byType(graph, "databricks:index/externalLocation:ExternalLocation");
        expect(location.inputs).toMatchObject({ url: "gs://acme-training/raw/", readOnly: true, credentialName: "ml_dev_gcs", forceDestroy: false, skipValidation: true });
        expect(location).toMatchObject({ protect: true, retainOnDelete: true });
        for (const r of readers) expect(location.dependencies).toContain(r.urn);
        expect(JSON.stringify(graph.resources.map((r) => r.inputs))).not.toContain("objectAdmin");
        // COPY INTO reads the files as the job's run-as identity.
        const [grants] = byType(graph, "databricks:index/grants:Grants");
        expect(grants.inputs).toEqual({ externalLocation: "ml_dev_migration_source", grants: [{ principal: "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a", privileges: ["READ_FILES"] }] });
    });

    it("parses GCS URIs and refuses anything else", () => {
        expect(parseGcsUri("gs://bucket")).toEqual({ bucket: "bucket", prefix: "" });
        expect(parseGcsUri("gs://bucket/a/b//")).toEqual({ bucket: "bucket", prefix: "/a/b" });
        expect(() => parseGcsUri("/mnt/models")).toThrow('sourceUri "/mnt/models": expected a GCS URI');
        expect(() => parseGcsUri("s3://bucket/x")).toThrow(/expected a GCS URI/);
    });
});
