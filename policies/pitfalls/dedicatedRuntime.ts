/**
 * Pitfall: the plan's runtime is 14.3, but fine-grained access control on dedicated
 * (single-user) compute — reading views, row filters and column masks of Unity Catalog data —
 * and dedicated access for a group need Databricks Runtime 15.4 LTS or later. On an older
 * runtime such a read fails when the job runs, long after `pulumi up` succeeded.
 */
import { minDedicatedRuntime, runtimeAtLeast } from "../../domain/databricks/nodeTypes";
import { at } from "../../tools/model/compute";
import { configSchema, settings, stringList } from "../lib/config";
import { show, subject, violation } from "../lib/messages";
import { onClusterSpecs, resourcePolicy } from "../lib/policy";
import { isUnknown } from "../../tools/model/values";

const minimum = `${minDedicatedRuntime.major}.${minDedicatedRuntime.minor}`;

const schema = configSchema({
    minRuntime: { type: "string", pattern: "^\\d{1,2}\\.\\d{1,2}$", default: minimum, description: "Oldest Databricks Runtime (major.minor) for dedicated access." },
    dedicatedModes: stringList(["SINGLE_USER", "DATA_SECURITY_MODE_DEDICATED"], "dataSecurityMode values that mean dedicated (single-user) access."),
});

export const dedicatedAccessRuntime = resourcePolicy({
    name: "dedicated-access-runtime",
    description: `Databricks clusters in dedicated (single-user) access mode run Databricks Runtime ${minimum} LTS or later, which fine-grained access control on Unity Catalog data needs.`,
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: schema,
    validateResource: onClusterSpecs(({ path, spec }, args, report) => {
        const { minRuntime, dedicatedModes } = settings<{ minRuntime: string; dedicatedModes: string[] }>(args, schema);
        if ([spec.sparkVersion, spec.dataSecurityMode].some(isUnknown)) return;
        if (typeof spec.dataSecurityMode !== "string" || !dedicatedModes.includes(spec.dataSecurityMode)) return;
        if (typeof spec.sparkVersion !== "string") return;
        const [major, minor] = minRuntime.split(".").map(Number);
        if (runtimeAtLeast(spec.sparkVersion, { major, minor })) return;
        report(
            violation({
                resource: subject(args.type, args.name),
                what: at(path, "sparkVersion"),
                found: `${show(spec.sparkVersion)} in ${spec.dataSecurityMode} access mode`,
                limit: `Databricks Runtime ${minRuntime} or later`,
                fix: `use ${minRuntime}.x-… (migration:databricks.a100.sparkVersion / dataPrep.sparkVersion)`,
            }),
        );
    }),
});
