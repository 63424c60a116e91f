/**
 * No IAM grant, ACL or dataset access entry to `allUsers` or `allAuthenticatedUsers`: ML data
 * and models are never public. Every GCP resource is scanned, so IAM members, bindings,
 * policies (their policy JSON included) and ACL entries are all covered.
 */
import { configSchema, settings, stringList } from "../lib/config";
import { subject, violation } from "../lib/messages";
import { resourcePolicy } from "../lib/policy";
import { snapshot, strings } from "../../tools/model/values";

const schema = configSchema({
    publicPrincipals: stringList(["allUsers", "allAuthenticatedUsers"], "Principals that make a grant public."),
});

export const noPublicIam = resourcePolicy({
    name: "no-public-iam",
    description: "No IAM binding, member, policy or ACL grants access to allUsers or allAuthenticatedUsers.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: schema,
    validateResource: (args, report) => {
        if (!args.type.startsWith("gcp:")) args.notApplicable("applies to GCP resources");
        const { publicPrincipals } = settings<{ publicPrincipals: string[] }>(args, schema);
        const pattern = new RegExp(`(^|[^A-Za-z])(${publicPrincipals.join("|")})([^A-Za-z]|$)`);
        for (const { path, value } of strings(snapshot(args.props))) {
            const match = pattern.exec(value);
            if (!match) continue;
            report(
                violation({
                    resource: subject(args.type, args.name),
                    what: path,
                    found: `a grant to ${match[2]}`,
                    limit: "no public principals",
                    fix: "grant a group, service account or domain instead",
                }),
            );
        }
    },
});
