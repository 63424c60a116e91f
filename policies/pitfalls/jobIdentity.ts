/**
 * Pitfall: a Databricks job without `runAs` runs as whoever deployed it — here an account
 * admin's service account — so every run, the MLflow runs it logs and the model versions it
 * registers belong to that account, with its privileges. And a job cluster outside a cluster
 * policy can be edited into any size or shape from the UI.
 *
 * Every job runs as a service principal; every job cluster runs under a cluster policy with
 * the policy's defaults applied; and a dedicated (single-user) job cluster names the run-as
 * identity as its single user, or the run fails Databricks' single-user check.
 */
import { isServicePrincipalId } from "../../domain/databricks/access";
import { at, clusterSpecs } from "../../tools/model/compute";
import { configSchema, settings, stringList } from "../lib/config";
import { show, subject, violation } from "../lib/messages";
import { resourcePolicy } from "../lib/policy";
import { isUnknown, known, snapshot } from "../../tools/model/values";

const schema = configSchema({
    dedicatedModes: stringList(["SINGLE_USER", "DATA_SECURITY_MODE_DEDICATED"], "dataSecurityMode values that mean dedicated (single-user) access."),
});

export const databricksJobIdentity = resourcePolicy({
    name: "databricks-job-identity",
    description:
        "Databricks jobs run as a service principal (runAs), each job cluster under a cluster policy with its defaults applied, and a dedicated job cluster's single user is the run-as identity.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: schema,
    validateResource: (args, report) => {
        if (args.type !== "databricks:index/job:Job") args.notApplicable("applies to Databricks jobs");
        const { dedicatedModes } = settings<{ dedicatedModes: string[] }>(args, schema);
        const props = snapshot(args.props) as Record<string, unknown>;
        const resource = subject(args.type, args.name);
        if (isUnknown(props.runAs)) return;
        const runAs = known(props.runAs as Record<string, unknown> | undefined)?.servicePrincipalName;
        if (!isUnknown(runAs) && (typeof runAs !== "string" || !isServicePrincipalId(runAs))) {
            const other = known(props.runAs as Record<string, unknown> | undefined);
            report(
                violation({
                    resource,
                    what: "runAs",
                    found: other ? `${show(other.userName ?? other.groupName)} (not a service principal)` : "not set (runs as the deploying identity)",
                    limit: "runAs.servicePrincipalName, a service principal's application ID",
                    fix: "set runAs: { servicePrincipalName } (migration:databricks.jobsRunAs)",
                }),
            );
        }
        for (const { path, spec } of clusterSpecs(args.type, props)) {
            if (!isUnknown(spec.policyId) && (typeof spec.policyId !== "string" || spec.policyId === "")) {
                report(
                    violation({
                        resource,
                        what: at(path, "policyId"),
                        found: "not set",
                        limit: "a cluster policy for every job cluster",
                        fix: "give the cluster the policy NotebookJob derives for it (jobClusterPolicyDefinition)",
                    }),
                );
            }
            if (!isUnknown(spec.applyPolicyDefaultValues) && spec.applyPolicyDefaultValues !== true) {
                report(
                    violation({
                        resource,
                        what: at(path, "applyPolicyDefaultValues"),
                        found: show(spec.applyPolicyDefaultValues),
                        limit: "true, so what the cluster leaves unset comes from its policy",
                        fix: "set applyPolicyDefaultValues: true",
                    }),
                );
            }
            const mode = spec.dataSecurityMode;
            if ([mode, spec.singleUserName, runAs].some(isUnknown) || typeof mode !== "string" || !dedicatedModes.includes(mode)) continue;
            if (typeof runAs === "string" && spec.singleUserName !== runAs) {
                report(
                    violation({
                        resource,
                        what: at(path, "singleUserName"),
                        found: `${show(spec.singleUserName)} while the job runs as ${show(runAs)}`,
                        limit: "the run-as identity, on a dedicated job cluster",
                        fix: "set singleUserName to runAs.servicePrincipalName",
                    }),
                );
            }
        }
    },
});
