/**
 * Pitfall: a fresh Google Cloud project has almost no API enabled, so the first `pulumi up`
 * fails on the first resource whose API is off (403 "… API has not been used in project … or
 * it is disabled"), and enabling an API in the same run only helps if the resource waits for it.
 *
 * Every GCP resource of the stack (and the Databricks account types that act in the project)
 * must have each API its type needs (domain/gcp/googleApis.ts) enabled in the same program
 * by a `gcp.projects.Service` it depends on, directly or through what it depends on. A type the
 * table does not know is refused too: a new resource type cannot bring the failure back
 * unnoticed. The services themselves are never disabled on destroy: an API is shared by
 * everything in the project.
 */
import { PolicyResource } from "@pulumi/policy";
import { apiServiceType, apisOf, needsApiTable } from "../../domain/gcp/googleApis";
import { configSchema } from "../lib/config";
import { show, subject, violation } from "../lib/messages";
import { stackPolicy } from "../lib/policy";
import { isUnknown, snapshot } from "../../tools/model/values";

const tableFile = "domain/gcp/googleApis.ts";

/** Every resource a resource waits for: its dependencies and theirs. */
function waitsFor(resource: PolicyResource): Set<string> {
    const seen = new Set<string>();
    const stack = [...resource.dependencies];
    while (stack.length > 0) {
        const next = stack.pop()!;
        if (seen.has(next.urn)) continue;
        seen.add(next.urn);
        stack.push(...next.dependencies);
    }
    return seen;
}

export const googleApisEnabled = stackPolicy({
    name: "gcp-apis-enabled",
    description:
        "Every GCP resource depends on a gcp.projects.Service (never disabled on destroy) enabling each Google API its type needs, in the same program, so the first up on a fresh project does not fail on a disabled API.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchema({}),
    validateStack: (args, report) => {
        const services = new Map<string, PolicyResource>();
        let unknownServices = false;
        for (const resource of args.resources) {
            if (resource.type !== apiServiceType) continue;
            const props = snapshot(resource.props) as Record<string, unknown>;
            if (isUnknown(props.service)) unknownServices = true;
            else if (typeof props.service === "string") services.set(props.service, resource);
            if (props.disableOnDestroy !== false && !isUnknown(props.disableOnDestroy)) {
                report(
                    violation({
                        resource: subject(resource.type, resource.name),
                        what: "disableOnDestroy",
                        found: show(props.disableOnDestroy),
                        limit: "false: an API is shared by everything in the project, and older providers default to true",
                        fix: "set disableOnDestroy: false (components/gcp/projectApis.ts does)",
                    }),
                    resource.urn,
                );
            }
        }

        const checked = args.resources.filter((r) => needsApiTable(r.type));
        if (checked.length === 0) args.notApplicable("the stack has no GCP resources");
        for (const resource of checked) {
            const apis = apisOf(resource.type);
            const name = subject(resource.type, resource.name);
            if (!apis) {
                report(
                    violation({
                        resource: name,
                        what: "its resource type",
                        found: "not in the table of Google APIs by resource type",
                        limit: "every GCP resource type listed with the APIs it calls",
                        fix: `add "${resource.type}" to apisByResourceType in ${tableFile} (and the API to googleApis if it is new)`,
                    }),
                    resource.urn,
                );
                continue;
            }
            const before = waitsFor(resource);
            for (const api of apis) {
                const service = services.get(api);
                if (!service) {
                    // A service whose name is not known yet may be this one: judged when it is.
                    if (unknownServices) continue;
                    report(
                        violation({
                            resource: name,
                            what: `the API ${api}`,
                            found: "not enabled by this program",
                            limit: "a gcp.projects.Service for it in the same stack",
                            fix: `add it to googleApis in ${tableFile}; the ProjectApis component enables every API listed there`,
                        }),
                        resource.urn,
                    );
                } else if (!before.has(service.urn)) {
                    report(
                        violation({
                            resource: name,
                            what: `the API ${api}`,
                            found: `enabled by ${subject(service.type, service.name)}, but the resource does not wait for it`,
                            limit: "a dependency on the service that enables it",
                            fix: "create the resource's component with ctx.gcpOptions(...), whose transformation adds the dependency",
                        }),
                        resource.urn,
                    );
                }
            }
        }
    },
});
