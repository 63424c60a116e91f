/**
 * Every labelable resource carries the foundation's labels (team, env, phase, workload,
 * cost-center), so billing exports and budgets group cost without guessing. Which property
 * carries labels is read from the provider SDK (`labelProperty`), the same helper the program uses.
 */
import { labelProperty, requiredLabelKeys } from "../../components/labels";
import { configSchema, stringList } from "../lib/config";
import { subject, violation } from "../lib/messages";
import { resourcePolicy, settings } from "../lib/policy";
import { entries, hasUnknown, isUnknown, snapshot } from "../lib/values";

const schema = configSchema({
    requiredKeys: stringList(requiredLabelKeys, "Label keys every labelable resource carries, each with a value."),
});

export const requiredLabels = resourcePolicy({
    name: "required-labels",
    description: "Every labelable resource carries the team, env, phase, workload and cost-center labels.",
    enforcementLevel: "mandatory",
    severity: "medium",
    configSchema: schema,
    validateResource: (args, report) => {
        const property = labelProperty(args.type);
        if (!property) args.notApplicable("the resource type has no labels");
        const { requiredKeys } = settings<{ requiredKeys: string[] }>(args, schema);
        const labels = (snapshot(args.props) as Record<string, unknown>)[property!];
        if (isUnknown(labels)) return;
        const present = new Map(entries(labels));
        const missing = requiredKeys.filter((key) => {
            const value = present.get(key);
            return !hasUnknown(value) && (typeof value !== "string" || value === "");
        });
        if (missing.length === 0) return;
        report(
            violation({
                resource: subject(args.type, args.name),
                what: `${property} ${missing.map((k) => `"${k}"`).join(", ")}`,
                found: labels === undefined ? `missing (no ${property})` : "missing",
                limit: `all of ${requiredKeys.join(", ")}`,
                fix: `pass ${property}: ctx.labels(phase, workload) (components/labels.ts resourceLabels)`,
            }),
        );
    },
});
