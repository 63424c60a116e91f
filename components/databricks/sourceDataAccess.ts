import * as databricks from "@pulumi/databricks";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { MigrationComponent } from "../stateful";

export interface SourceDataAccessArgs {
    /** Where the GCP side keeps the data to migrate, such as gs://acme-ml-dev-training-data/raw. */
    sourceUri: string;
    locationName: string;
    /** The Unity Catalog storage credential that reads it, and its Google service account. */
    credentialName: pulumi.Input<string>;
    credentialServiceAccount: pulumi.Input<string>;
    /** Who reads the files in place (`READ_FILES`): the jobs' run-as identity. */
    readers: string[];
    /** What the bucket grants wait for, when the program creates the bucket too. */
    bucketDependsOn?: pulumi.Resource[];
    comment?: string;
}

/** Read-only GCS roles for the storage credential on the source bucket. */
export const sourceReaderRoles = ["roles/storage.objectViewer", "roles/storage.legacyBucketReader"];

export function parseGcsUri(uri: string): { bucket: string; prefix: string } {
    const match = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,61}[a-z0-9])(\/.*)?$/.exec(uri);
    if (!match) throw new Error(`sourceUri ${JSON.stringify(uri)}: expected a GCS URI such as gs://bucket/path`);
    return { bucket: match[1], prefix: (match[2] ?? "/").replace(/\/+$/, "") };
}

/**
 * Lets Unity Catalog read what the GCP side wrote, in place, through a read-only external
 * location: the training data of phase 2 (Day 8-10, data migration; the migration job copies
 * it into Delta from there, replacing the seed's `/mnt` mount) and the GCP baseline's result
 * files of phase 1. Nothing on the GCP side is written or moved, so a rollback has nothing to undo.
 */
export class SourceDataAccess extends MigrationComponent {
    readonly readers: gcp.storage.BucketIAMMember[];
    readonly location: databricks.ExternalLocation;
    readonly grants: databricks.Grants;
    readonly url: string;

    constructor(name: string, args: SourceDataAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        const { bucket, prefix } = parseGcsUri(args.sourceUri);
        if (!/^[a-z][a-z0-9_]{0,254}$/.test(args.locationName)) {
            throw new Error(`SourceDataAccess ${name}: locationName ${JSON.stringify(args.locationName)}: expected lowercase letters, digits or '_'`);
        }
        if (args.readers.length === 0) throw new Error(`SourceDataAccess ${name}: readers: expected at least the identity that copies the data`);
        super("migration:databricks:SourceDataAccess", name, {}, opts);
        this.url = `gs://${bucket}${prefix}/`;

        const member = pulumi.interpolate`serviceAccount:${args.credentialServiceAccount}`;
        this.readers = sourceReaderRoles.map(
            (role) =>
                new gcp.storage.BucketIAMMember(`${name}-${role.split(".").pop()}`, { bucket, role, member }, { parent: this, dependsOn: args.bucketDependsOn }),
        );
        this.location = new databricks.ExternalLocation(
            `${name}-location`,
            {
                name: args.locationName,
                // Unity Catalog would check access on create, right after the bucket grant, and GCS
                // IAM takes minutes to propagate: the first up could fail. Checked at first use.
                skipValidation: true,
                url: this.url,
                credentialName: args.credentialName,
                readOnly: true,
                isolationMode: "ISOLATION_MODE_ISOLATED",
                forceDestroy: false,
                comment: args.comment ?? "GCP-side training data, read in place by the migration job",
            },
            { parent: this, dependsOn: this.readers },
        );
        // COPY INTO from the location runs as the job's run-as identity, which needs READ FILES on it.
        this.grants = new databricks.Grants(
            `${name}-grants`,
            { externalLocation: this.location.name, grants: args.readers.map((principal) => ({ principal, privileges: ["READ_FILES"] })) },
            { parent: this },
        );
        this.registerOutputs({ url: this.url, location: this.location.name });
    }
}
