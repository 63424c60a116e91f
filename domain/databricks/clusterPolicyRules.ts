/**
 * The A100 cluster policy as data, and a checker that reads a cluster the way Databricks
 * applies a policy to it. Pure (no Pulumi import): the policy JSON the workspace receives and
 * the proof that the cluster defined in code conforms to it come from the same rules.
 */
import { costRules } from "../targets";
import { ClusterSpec, gpuMemoryEnvVars } from "./clusterSpec";

export type PolicyValue = string | number | boolean;

/** The policy definition language's rule types that the migration uses. */
export type PolicyRule =
    | { type: "fixed"; value: PolicyValue; hidden?: boolean }
    | { type: "allowlist"; values: PolicyValue[]; defaultValue?: PolicyValue }
    | { type: "range"; minValue?: number; maxValue?: number; defaultValue?: number; isOptional?: boolean };

export type PolicyDefinition = Record<string, PolicyRule>;

export interface A100PolicyLimits {
    sparkVersion: string;
    nodeTypes: readonly string[];
    defaultNodeType: string;
    minWorkers: number;
    maxWorkers: number;
    autoterminationMinutes: number;
    gpuMemoryFraction: number;
    customTags: Record<string, string>;
}

/** The lowest idle timeout the policy allows: shorter ones make notebooks restart clusters all day. */
export const minAutoterminationMinutes = 10;

/**
 * Most nodes a cluster may start on demand: the driver, plus the share of the largest
 * cluster the seed's Databricks spot target leaves to on-demand workers.
 */
export function maxFirstOnDemand(maxWorkers: number, spotTarget: number = costRules.databricks.spotInstanceTarget): number {
    return 1 + Math.floor(Number((maxWorkers * (1 - spotTarget)).toFixed(9)));
}

export function a100PolicyDefinition(limits: A100PolicyLimits): PolicyDefinition {
    const definition: PolicyDefinition = {
        spark_version: { type: "fixed", value: limits.sparkVersion },
        node_type_id: { type: "allowlist", values: [...limits.nodeTypes], defaultValue: limits.defaultNodeType },
        driver_node_type_id: { type: "allowlist", values: [...limits.nodeTypes], defaultValue: limits.defaultNodeType },
        // Photon cannot run on GPU instances; hidden so nobody is offered the switch.
        runtime_engine: { type: "fixed", value: "STANDARD", hidden: true },
        data_security_mode: { type: "fixed", value: "SINGLE_USER" },
        "autoscale.min_workers": { type: "range", minValue: 0, maxValue: limits.maxWorkers, defaultValue: limits.minWorkers },
        "autoscale.max_workers": { type: "range", minValue: 1, maxValue: limits.maxWorkers, defaultValue: limits.maxWorkers },
        num_workers: { type: "range", minValue: 0, maxValue: limits.maxWorkers, isOptional: true },
        autotermination_minutes: {
            type: "range",
            minValue: minAutoterminationMinutes,
            maxValue: limits.autoterminationMinutes,
            defaultValue: limits.autoterminationMinutes,
        },
        "gcp_attributes.availability": { type: "fixed", value: "PREEMPTIBLE_WITH_FALLBACK_GCP" },
        "gcp_attributes.first_on_demand": {
            type: "range",
            minValue: 1,
            maxValue: maxFirstOnDemand(limits.maxWorkers),
            defaultValue: 1,
        },
    };
    for (const name of gpuMemoryEnvVars) {
        definition[`spark_env_vars.${name}`] = { type: "fixed", value: String(limits.gpuMemoryFraction) };
    }
    // Fixed tags: every A100 hour is attributable to a team, environment and cost centre.
    for (const [key, value] of Object.entries(limits.customTags)) {
        definition[`custom_tags.${key}`] = { type: "fixed", value };
    }
    return definition;
}

/**
 * The policy of one job cluster, derived from the cluster itself: it runs only as a job
 * cluster (`cluster_type: job`), as the job's run-as identity (`single_user_name`), on the
 * runtime, node type, engine, access mode, zone and Google identity of its spec, within its
 * size, on spot workers with the on-demand share the plan's spot target leaves, with the
 * spec's environment (the GPU memory fraction) and tags fixed. Editing the job in the UI cannot
 * take its cluster past these, and `applyPolicyDefaultValues` fills what the spec leaves unset.
 */
export function jobClusterPolicyDefinition(spec: ClusterSpec, size: ClusterSize, singleUserName: string): PolicyDefinition {
    const maxWorkers = size.autoscale?.maxWorkers ?? size.numWorkers ?? 0;
    const definition: PolicyDefinition = {
        cluster_type: { type: "fixed", value: "job" },
        spark_version: { type: "fixed", value: spec.sparkVersion },
        node_type_id: { type: "fixed", value: spec.nodeTypeId },
        driver_node_type_id: { type: "fixed", value: spec.driverNodeTypeId },
        runtime_engine: { type: "fixed", value: spec.runtimeEngine },
        data_security_mode: { type: "fixed", value: spec.dataSecurityMode },
        single_user_name: { type: "fixed", value: singleUserName },
        "gcp_attributes.availability": { type: "fixed", value: spec.gcpAttributes.availability },
        "gcp_attributes.first_on_demand": { type: "range", minValue: 1, maxValue: maxFirstOnDemand(maxWorkers), defaultValue: 1 },
        "gcp_attributes.zone_id": { type: "fixed", value: spec.gcpAttributes.zoneId },
    };
    if (spec.gcpAttributes.googleServiceAccount !== undefined) {
        definition["gcp_attributes.google_service_account"] = { type: "fixed", value: spec.gcpAttributes.googleServiceAccount };
    }
    if (size.autoscale) {
        definition["autoscale.min_workers"] = { type: "range", minValue: 0, maxValue: size.autoscale.maxWorkers, defaultValue: size.autoscale.minWorkers };
        definition["autoscale.max_workers"] = { type: "range", minValue: 1, maxValue: size.autoscale.maxWorkers, defaultValue: size.autoscale.maxWorkers };
    } else {
        definition.num_workers = { type: "range", minValue: 0, maxValue: maxWorkers, defaultValue: maxWorkers };
    }
    for (const [key, value] of Object.entries(spec.sparkEnvVars)) definition[`spark_env_vars.${key}`] = { type: "fixed", value };
    for (const [key, value] of Object.entries(spec.customTags)) definition[`custom_tags.${key}`] = { type: "fixed", value };
    return definition;
}

export interface ClusterSize {
    autoscale?: { minWorkers: number; maxWorkers: number };
    numWorkers?: number;
    autoterminationMinutes?: number;
}

/** A cluster spec as the policy language addresses it (snake_case paths). */
export function policyAttributes(spec: ClusterSpec, size: ClusterSize, job?: { singleUserName: string }): Record<string, PolicyValue> {
    const attributes: Record<string, PolicyValue> = {
        ...(job ? { cluster_type: "job", single_user_name: job.singleUserName } : {}),
        spark_version: spec.sparkVersion,
        node_type_id: spec.nodeTypeId,
        driver_node_type_id: spec.driverNodeTypeId,
        runtime_engine: spec.runtimeEngine,
        data_security_mode: spec.dataSecurityMode,
        "gcp_attributes.availability": spec.gcpAttributes.availability,
        "gcp_attributes.first_on_demand": spec.gcpAttributes.firstOnDemand,
        "gcp_attributes.zone_id": spec.gcpAttributes.zoneId,
        ...(spec.gcpAttributes.googleServiceAccount !== undefined ? { "gcp_attributes.google_service_account": spec.gcpAttributes.googleServiceAccount } : {}),
    };
    if (size.autoscale) {
        attributes["autoscale.min_workers"] = size.autoscale.minWorkers;
        attributes["autoscale.max_workers"] = size.autoscale.maxWorkers;
    }
    if (size.numWorkers !== undefined) attributes.num_workers = size.numWorkers;
    if (size.autoterminationMinutes !== undefined) attributes.autotermination_minutes = size.autoterminationMinutes;
    for (const [key, value] of Object.entries(spec.sparkEnvVars)) attributes[`spark_env_vars.${key}`] = value;
    for (const [key, value] of Object.entries(spec.customTags)) attributes[`custom_tags.${key}`] = value;
    return attributes;
}

/**
 * What the policy would reject in these attributes. An attribute the cluster leaves unset is
 * filled from the policy (fixed value or default), so only set attributes can violate it.
 */
export function policyViolations(definition: PolicyDefinition, attributes: Record<string, PolicyValue>): string[] {
    const violations: string[] = [];
    for (const [path, rule] of Object.entries(definition)) {
        const value = attributes[path];
        if (value === undefined) continue;
        switch (rule.type) {
            case "fixed":
                if (value !== rule.value) violations.push(`${path} = ${JSON.stringify(value)}: the policy fixes it to ${JSON.stringify(rule.value)}`);
                break;
            case "allowlist":
                if (!rule.values.includes(value)) violations.push(`${path} = ${JSON.stringify(value)}: the policy allows ${rule.values.join(", ")}`);
                break;
            case "range":
                if (
                    typeof value !== "number" ||
                    (rule.minValue !== undefined && value < rule.minValue) ||
                    (rule.maxValue !== undefined && value > rule.maxValue)
                ) {
                    violations.push(`${path} = ${JSON.stringify(value)}: the policy allows ${rule.minValue ?? "-∞"} to ${rule.maxValue ?? "∞"}`);
                }
                break;
        }
    }
    return violations;
}
