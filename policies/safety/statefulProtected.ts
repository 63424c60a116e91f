/**
 * Rollback must lose no data: stateful resources (buckets, datasets, Unity Catalog objects,
 * Delta tables, registered models) are protected, so neither a phase rollback nor a mistaken
 * change deletes them. A policy sees `protect`; `retainOnDelete` is not sent to analyzers,
 * so it cannot stand in for protection here.
 */
import { statefulTypes } from "../../domain/stateful";
import { configSchema, settings, stringList } from "../lib/config";
import { subject, violation } from "../lib/messages";
import { resourcePolicy } from "../lib/policy";


const schema = configSchema({
    statefulTypes: stringList(statefulTypes, "Resource types that hold data and must be protected."),
});

export const statefulResourcesProtected = resourcePolicy({
    name: "stateful-resources-protected",
    description: "Resources that hold data (buckets, datasets, catalogs, schemas, external locations, tables, volumes, models) are protected.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: schema,
    validateResource: (args, report) => {
        const { statefulTypes: types } = settings<{ statefulTypes: string[] }>(args, schema);
        if (!types.includes(args.type)) args.notApplicable("not a stateful resource type");
        if (args.opts.protect) return;
        report(
            violation({
                resource: subject(args.type, args.name),
                what: "protect",
                found: "false",
                limit: "true for resources that hold data",
                fix: "pass { protect: true } (with retainOnDelete: true, so a rollback keeps it)",
            }),
        );
    },
});
