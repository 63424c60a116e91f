/**
 * Every labelable resource carries the foundation's labels (team, env, phase, workload,
 * cost-center), so billing exports and budgets group cost without guessing. Where a type keeps
 * its labels is read by the graph read-model (`labelsOf`: the static label-property table, a node
 * pool's `nodeConfig.resourceLabels`, a SQL warehouse's `tags.customTags`), as the cost model reads
 * them. A job's clusters are where most Databricks cost is spent, so their `customTags` count too.
 */
import { requiredLabelKeys } from "../../domain/labels";
import { labelPlace, labelsOf } from "../../tools/model/labels";
import { at, clusterSpecs } from "../../tools/model/compute";
import { configSchema, settings, stringList } from "../lib/config";
import { fix, subject, violation } from "../lib/messages";
import { resourcePolicy } from "../lib/policy";
import { entries, hasUnknown, isUnknown, snapshot } from "../../tools/model/values";

const schema = configSchema({
    requiredKeys: stringList(requiredLabelKeys, "Label keys every labelable resource carries, each with a value."),
});

/** Required keys that are absent or empty; unknown values are not missing. */
function missingKeys(labels: unknown, required: readonly string[]): string[] {
    const present = new Map(entries(labels));
    return required.filter((key) => {
        const value = present.get(key);
        return !hasUnknown(value) && (typeof value !== "string" || value === "");
    });
}

export const requiredLabels = resourcePolicy({
    name: "required-labels",
    description: "Every labelable resource (and every job cluster) carries the team, env, phase, workload and cost-center labels.",
    enforcementLevel: "mandatory",
    severity: "medium",
    configSchema: schema,
    validateResource: (args, report) => {
        const isJob = args.type === "databricks:index/job:Job";
        // A job's own `tags` reach its clusters; the clusters' `customTags` are what billing sees.
        const place = isJob ? undefined : labelPlace(args.type);
        if (!place && !isJob) args.notApplicable("the resource type has no labels");
        const { requiredKeys } = settings<{ requiredKeys: string[] }>(args, schema);
        const props = snapshot(args.props) as Record<string, unknown>;
        const places = place
            ? [{ what: place, labels: labelsOf(args.type, props) }]
            : clusterSpecs(args.type, props).map(({ path, spec }) => ({ what: at(path, "customTags"), labels: spec.customTags }));
        for (const { what, labels } of places) {
            if (isUnknown(labels)) continue;
            const missing = missingKeys(labels, requiredKeys);
            if (missing.length === 0) continue;
            report(
                violation({
                    resource: subject(args.type, args.name),
                    what: `${what} ${missing.map((k) => `"${k}"`).join(", ")}`,
                    found: labels === undefined ? `missing (no ${what})` : "missing",
                    limit: `all of ${requiredKeys.join(", ")}`,
                    fix: fix(`set ${what} with the required keys`, "ctx.labels(phase, workload) from domain/labels.ts"),
                }),
            );
        }
    },
});
