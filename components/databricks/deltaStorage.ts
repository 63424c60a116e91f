import * as databricks from "@pulumi/databricks";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { MigrationComponent } from "../stateful";

export interface DeltaVolume {
    schema: string;
    name: string;
    comment: string;
}

export interface DeltaStorageArgs {
    region: string;
    bucketName: string;
    catalog: string;
    /** Schema name → comment. */
    schemas: Record<string, string>;
    /** External volumes, the Unity Catalog replacement for the seed's `/mnt/...` DBFS mounts. */
    volumes: DeltaVolume[];
    /** Users or service principals that read and write the catalog: the A100 cluster's user, the jobs' run-as identity. */
    principals: string[];
    /** Groups that read it (tables, volumes, functions), such as the operators and viewers. */
    readers: string[];
    labels: Record<string, string>;
}

/** Privileges the catalog's principals get: read, write, create tables and register models. */
export const catalogPrivileges = [
    "USE_CATALOG",
    "USE_SCHEMA",
    "SELECT",
    "MODIFY",
    "CREATE_TABLE",
    "CREATE_MODEL",
    "EXECUTE",
    "READ_VOLUME",
    "WRITE_VOLUME",
];

/** Privileges the catalog's readers get. */
export const catalogReadPrivileges = ["USE_CATALOG", "USE_SCHEMA", "SELECT", "EXECUTE", "READ_VOLUME"];

/** GCS roles Unity Catalog's service account needs on a bucket it manages (Databricks' documented pair). */
export const storageCredentialRoles = ["roles/storage.objectAdmin", "roles/storage.legacyBucketReader"];

/** Versions that Delta's VACUUM removed stay recoverable this long, then GCS deletes them. */
export const noncurrentVersionDays = 30;

const identifier = /^[a-z][a-z0-9_]{0,254}$/;

/**
 * Seed Phase 1, Day 3-5 ("C4As ↔ Delta Lake"): the Delta Lake side, in Unity Catalog. A GCS
 * bucket holds the catalog's managed tables and the external volumes; a storage credential
 * (a Google service account Databricks creates) gets access to it through bucket IAM; an
 * external location registers the bucket; the catalog and its schemas live there.
 *
 * Data outlives the phase: the bucket, credential, external location, catalog, schemas and
 * volumes are protected and retained on delete, so lowering the phase forgets them in the
 * stack but never deletes them. Children take the GCP provider and the workspace-level
 * Databricks provider from the options' `providers`.
 */
export class DeltaStorage extends MigrationComponent {
    readonly bucket: gcp.storage.Bucket;
    readonly credential: databricks.StorageCredential;
    readonly bucketAccess: gcp.storage.BucketIAMMember[];
    readonly externalLocation: databricks.ExternalLocation;
    readonly catalog: databricks.Catalog;
    readonly schemas: Record<string, databricks.Schema>;
    readonly volumes: databricks.Volume[];
    readonly grants: databricks.Grants;
    readonly bucketUrl: string;

    constructor(name: string, args: DeltaStorageArgs, opts?: pulumi.ComponentResourceOptions) {
        validate(name, args);
        super("migration:databricks:DeltaStorage", name, {}, opts);
        this.bucketUrl = `gs://${args.bucketName}`;

        this.bucket = new gcp.storage.Bucket(
            `${name}-bucket`,
            {
                name: args.bucketName,
                location: args.region.toUpperCase(),
                storageClass: "STANDARD",
                uniformBucketLevelAccess: true,
                publicAccessPrevention: "enforced",
                versioning: { enabled: true },
                forceDestroy: false,
                lifecycleRules: [{ action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: noncurrentVersionDays } }],
                labels: args.labels,
            },
            { parent: this },
        );
        this.credential = new databricks.StorageCredential(
            `${name}-credential`,
            {
                name: `${args.catalog}_gcs`,
                // Databricks creates and holds the service account: no key ever leaves Google.
                databricksGcpServiceAccount: {},
                isolationMode: "ISOLATION_MODE_ISOLATED",
                comment: `Unity Catalog access to ${this.bucketUrl}`,
            },
            { parent: this },
        );
        const member = pulumi.interpolate`serviceAccount:${this.credential.databricksGcpServiceAccount.email}`;
        this.bucketAccess = storageCredentialRoles.map(
            (role) =>
                new gcp.storage.BucketIAMMember(
                    `${name}-${role.split(".").pop()}`,
                    { bucket: this.bucket.name, role, member },
                    { parent: this },
                ),
        );
        // After the grants, so that access is in place by the time the location is used.
        this.externalLocation = new databricks.ExternalLocation(
            `${name}-location`,
            {
                name: `${args.catalog}_delta`,
                // Unity Catalog would check access on create, right after the bucket grant, and GCS
                // IAM takes minutes to propagate: the first up could fail. Checked at first use.
                skipValidation: true,
                url: pulumi.interpolate`gs://${this.bucket.name}/`,
                credentialName: this.credential.name,
                isolationMode: "ISOLATION_MODE_ISOLATED",
                forceDestroy: false,
                comment: "Delta Lake storage of the ML platform",
            },
            { parent: this, dependsOn: this.bucketAccess },
        );
        this.catalog = new databricks.Catalog(
            `${name}-catalog`,
            {
                name: args.catalog,
                // Managed tables land in this bucket, not in the metastore's root storage.
                storageRoot: pulumi.interpolate`gs://${this.bucket.name}/managed`,
                isolationMode: "ISOLATED",
                forceDestroy: false,
                comment: "ML platform: migrated data, features, models, benchmarks and costs",
            },
            { parent: this, dependsOn: [this.externalLocation] },
        );
        this.schemas = Object.fromEntries(
            Object.entries(args.schemas).map(([schema, comment]) => [
                schema,
                new databricks.Schema(
                    `${name}-${schema}`,
                    { catalogName: this.catalog.name, name: schema, comment, forceDestroy: false },
                    { parent: this },
                ),
            ]),
        );
        this.volumes = args.volumes.map(
            (volume) =>
                new databricks.Volume(
                    `${name}-${volume.schema}-${volume.name}`,
                    {
                        catalogName: this.catalog.name,
                        schemaName: this.schemas[volume.schema].name,
                        name: volume.name,
                        volumeType: "EXTERNAL",
                        // Outside the managed root: external volumes may not overlap managed storage.
                        storageLocation: pulumi.interpolate`gs://${this.bucket.name}/volumes/${volume.schema}/${volume.name}`,
                        comment: volume.comment,
                    },
                    { parent: this, dependsOn: [this.externalLocation] },
                ),
        );
        this.grants = new databricks.Grants(
            `${name}-grants`,
            {
                catalog: this.catalog.name,
                grants: [
                    ...args.principals.map((principal) => ({ principal, privileges: catalogPrivileges })),
                    ...args.readers.filter((r) => !args.principals.includes(r)).map((principal) => ({ principal, privileges: catalogReadPrivileges })),
                ],
            },
            { parent: this },
        );

        this.registerOutputs({ bucket: this.bucket.name, catalog: this.catalog.name, externalLocation: this.externalLocation.name });
    }
}

function validate(name: string, args: DeltaStorageArgs): void {
    const problems: string[] = [];
    if (!/^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/.test(args.bucketName)) {
        problems.push(`bucketName ${JSON.stringify(args.bucketName)}: expected 3-63 lowercase letters, digits, '-' or '_'`);
    }
    if (!identifier.test(args.catalog)) problems.push(`catalog ${JSON.stringify(args.catalog)}: expected lowercase letters, digits or '_'`);
    const schemas = Object.keys(args.schemas);
    if (schemas.length === 0) problems.push("schemas: expected at least one schema");
    for (const schema of schemas) {
        if (!identifier.test(schema)) problems.push(`schemas.${schema}: expected lowercase letters, digits or '_'`);
    }
    for (const volume of args.volumes) {
        if (!schemas.includes(volume.schema)) {
            problems.push(`volume ${volume.name}: schema ${JSON.stringify(volume.schema)} is not one of ${schemas.join(", ")}`);
        }
        if (!identifier.test(volume.name)) problems.push(`volume ${JSON.stringify(volume.name)}: expected lowercase letters, digits or '_'`);
    }
    if (args.principals.length === 0) problems.push("principals: expected at least one user, group or service principal");
    if (problems.length > 0) throw new Error(`DeltaStorage ${name}: ${problems.join("; ")}`);
}
