/**
 * Pitfall: the seed's `LOCATION '/mnt/models'` is a DBFS mount, deprecated and invisible to
 * Unity Catalog governance. Data lives in Unity Catalog external locations and volumes
 * (`gs://…`, `/Volumes/…`). Flags `databricks.Mount` resources and any Databricks resource
 * property that points into a mount.
 */
import { configSchema, settings, stringList } from "../lib/config";
import { subject, violation } from "../lib/messages";
import { resourcePolicy } from "../lib/policy";
import { snapshot, strings } from "../../tools/model/values";

const schema = configSchema({
    mountPrefixes: stringList(["dbfs:/mnt/", "/mnt/", "/dbfs/mnt/"], "Path prefixes that address DBFS mounts."),
});

/** Fields that hold code or free text rather than a storage path. */
const freeText = /(^|\.)(contentBase64|source|queryText|query|description|comment|definition)$/;

export const noDbfsMounts = resourcePolicy({
    name: "no-dbfs-mounts",
    description: "No DBFS mounts: data is addressed through Unity Catalog external locations and volumes, not /mnt paths.",
    enforcementLevel: "mandatory",
    severity: "medium",
    configSchema: schema,
    validateResource: (args, report) => {
        if (!args.type.startsWith("databricks:")) args.notApplicable("applies to Databricks resources");
        const { mountPrefixes } = settings<{ mountPrefixes: string[] }>(args, schema);
        const resource = subject(args.type, args.name);
        const fix = "create a databricks.ExternalLocation (or Volume) on the gs:// path and use that location or /Volumes/… instead";
        if (args.type === "databricks:index/mount:Mount") {
            report(violation({ resource, what: "the resource", found: "a DBFS mount", limit: "no DBFS mounts", fix }));
            return;
        }
        for (const { path, value } of strings(snapshot(args.props))) {
            if (freeText.test(path)) continue;
            if (!mountPrefixes.some((prefix) => value.startsWith(prefix))) continue;
            report(violation({ resource, what: path, found: JSON.stringify(value), limit: "no DBFS mount paths", fix }));
        }
    },
});
