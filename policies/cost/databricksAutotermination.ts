/**
 * Seed cost rule `cluster_idle_timeout: 30`: an idle all-purpose cluster or SQL warehouse
 * stops within 30 minutes. Job clusters end with their run and have no such field; cluster
 * policies must cap the value, since users create clusters through them.
 */
import { costRules } from "../../domain/targets";
import { configSchema, count, settings } from "../lib/config";
import { subject, violation } from "../lib/messages";
import { onResource, resourcePolicy } from "../lib/policy";
import { ClusterPolicyProps, DatabricksClusterProps, resourceTypes, SqlEndpointProps } from "../../tools/model/resourceTypes";
import { asNumber, isUnknown } from "../../tools/model/values";

const schema = configSchema({
    maxIdleMinutes: count(
        costRules.databricks.clusterIdleTimeoutMinutes,
        "Longest idle time, in minutes, before an all-purpose cluster or SQL warehouse stops (seed cluster_idle_timeout).",
        1,
    ),
});

interface Settings {
    maxIdleMinutes: number;
}

/** The provider's defaults when the field is left out: the cluster API's 60, the warehouse API's 120. */
const clusterDefaultMinutes = 60;
const warehouseDefaultMinutes = 120;

function idleProblem(value: unknown, providerDefault: number, max: number): string | undefined {
    if (value === undefined) return `not set (the API's default is ${providerDefault} minutes)`;
    const minutes = asNumber(value);
    if (minutes === 0) return "0 (never stops)";
    if (minutes !== undefined && minutes > max) return `${minutes} minutes`;
    return undefined;
}

/** A cluster policy's rule for `autotermination_minutes`, as the policy JSON states it. */
function policyRuleProblem(definition: string, max: number): string | undefined {
    let parsed: Record<string, { type?: string; value?: unknown; maxValue?: unknown; defaultValue?: unknown }>;
    try {
        parsed = JSON.parse(definition);
    } catch {
        return undefined; // not this policy's concern: the provider rejects invalid JSON
    }
    const clusterType = parsed["cluster_type"];
    if (clusterType?.type === "fixed" && clusterType.value === "job") return undefined;
    const rule = parsed["autotermination_minutes"];
    if (!rule) return "not limited (no autotermination_minutes rule)";
    if (rule.type === "fixed") {
        const v = asNumber(rule.value);
        return v === 0 || (v !== undefined && v > max) ? `fixed at ${v}` : undefined;
    }
    if (rule.type === "range") {
        const v = asNumber(rule.maxValue);
        return v === undefined || v > max ? `a range up to ${v ?? "any value"}` : undefined;
    }
    return `of type "${rule.type}" (no upper bound)`;
}

export const databricksAutotermination = resourcePolicy({
    name: "databricks-autotermination",
    description:
        "Databricks all-purpose clusters and SQL warehouses stop after at most 30 idle minutes, and cluster policies cap it (seed cost rule cluster_idle_timeout).",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: schema,
    validateResource: [
        onResource<DatabricksClusterProps>(resourceTypes.databricksCluster, (cluster, args, report) => {
            const { maxIdleMinutes } = settings<Settings>(args, schema);
            if (isUnknown(cluster.autoterminationMinutes)) return;
            const problem = idleProblem(cluster.autoterminationMinutes, clusterDefaultMinutes, maxIdleMinutes);
            if (problem) {
                report(
                    violation({
                        resource: subject(args.type, args.name),
                        what: "autoterminationMinutes",
                        found: problem,
                        limit: `1 to ${maxIdleMinutes} minutes`,
                        fix: `set autoterminationMinutes to at most ${maxIdleMinutes}`,
                    }),
                );
            }
        }),
        onResource<SqlEndpointProps>(resourceTypes.sqlEndpoint, (warehouse, args, report) => {
            const { maxIdleMinutes } = settings<Settings>(args, schema);
            if (isUnknown(warehouse.autoStopMins)) return;
            const problem = idleProblem(warehouse.autoStopMins, warehouseDefaultMinutes, maxIdleMinutes);
            if (problem) {
                report(
                    violation({
                        resource: subject(args.type, args.name),
                        what: "autoStopMins",
                        found: problem,
                        limit: `1 to ${maxIdleMinutes} minutes`,
                        fix: `set autoStopMins to at most ${maxIdleMinutes}`,
                    }),
                );
            }
        }),
        onResource<ClusterPolicyProps>(resourceTypes.clusterPolicy, (policy, args, report) => {
            const { maxIdleMinutes } = settings<Settings>(args, schema);
            const definition = policy.definition ?? policy.policyFamilyDefinitionOverrides;
            if (definition === undefined || isUnknown(definition)) return;
            const problem = policyRuleProblem(definition, maxIdleMinutes);
            if (problem) {
                report(
                    violation({
                        resource: subject(args.type, args.name),
                        what: "the autotermination_minutes rule",
                        found: problem,
                        limit: `a fixed value or range maximum of 1 to ${maxIdleMinutes} minutes`,
                        fix: `add "autotermination_minutes": {"type": "range", "maxValue": ${maxIdleMinutes}, "defaultValue": ${maxIdleMinutes}} to the definition`,
                    }),
                );
            }
        }),
    ],
});
