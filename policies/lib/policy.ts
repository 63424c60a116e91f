/**
 * How a policy module is written: typed validations over a snapshot of the properties (so an
 * unknown value skips the check instead of failing it), and one config key every policy shares,
 * `exempt`, the logical names of resources a team deliberately excludes (each exemption is a
 * reviewed line in the stack's policy config rather than a code change).
 */
import {
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationPolicy,
} from "@pulumi/policy";
import { clusterSpecs, LocatedSpec } from "../../tools/model/compute";
import { Labelled } from "../../tools/model/labels";
import { ResourceType } from "../../tools/model/resourceTypes";
import { isUnknown, Snap, snapshot, Unknown } from "../../tools/model/values";

const exemptProperty = {
    type: "array" as const,
    items: { type: "string" as const },
    default: [] as string[],
    description: "Logical names of resources this policy skips (each a reviewed exception).",
};

function withExempt(schema: PolicyConfigSchema): PolicyConfigSchema {
    return { ...schema, properties: { ...schema.properties, exempt: exemptProperty } };
}

function exemptNames(args: { getConfig<C extends object>(): C }): Set<string> {
    const { exempt } = args.getConfig<{ exempt?: unknown }>();
    return new Set(Array.isArray(exempt) ? exempt.filter((e): e is string => typeof e === "string") : []);
}

function urnName(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

export type ResourcePolicyDefinition = Omit<ResourceValidationPolicy, "configSchema" | "validateResource"> & {
    configSchema: PolicyConfigSchema;
    validateResource: ResourceValidation | ResourceValidation[];
};

export function resourcePolicy(def: ResourcePolicyDefinition): ResourceValidationPolicy {
    const validations = Array.isArray(def.validateResource) ? def.validateResource : [def.validateResource];
    const guarded: ResourceValidation = async (args, report) => {
        if (exemptNames(args).has(args.name)) args.notApplicable(`"${args.name}" is exempted in the policy config`);
        // One validation per resource kind: "not this type" from one must not end the others,
        // and the policy is not applicable only when none of them applies.
        let lastNotApplicable: unknown;
        let applied = 0;
        for (const validation of validations) {
            try {
                await validation(args, report);
                applied++;
            } catch (error) {
                if (!(error instanceof Error && error.constructor.name === "NotApplicableError")) throw error;
                lastNotApplicable = error;
            }
        }
        if (applied === 0 && lastNotApplicable) throw lastNotApplicable;
    };
    return { ...def, configSchema: withExempt(def.configSchema), validateResource: guarded };
}

export type StackPolicyDefinition = Omit<StackValidationPolicy, "configSchema"> & { configSchema: PolicyConfigSchema };

export function stackPolicy(def: StackPolicyDefinition): StackValidationPolicy {
    return {
        ...def,
        configSchema: withExempt(def.configSchema),
        validateStack: (args, report) => {
            const exempt = exemptNames(args);
            const filtered: ReportViolation = (message, urn) => {
                if (urn === undefined || !exempt.has(urnName(urn))) report(message, urn);
            };
            return def.validateStack(args, filtered);
        },
    };
}

/**
 * A validation of one resource type, by its type token, given its properties as a snapshot:
 * `Props` names the properties the validation reads. Not applicable to any other type, with the
 * policy SDK's own message; the token is attached as the SDK's typed validations attach theirs.
 */
export function onResource<Props extends object>(
    type: ResourceType,
    validate: (props: Exclude<Snap<Props>, Unknown>, args: ResourceValidationArgs, report: ReportViolation) => void,
): ResourceValidation {
    const fn: ResourceValidation & { __pulumiType?: string } = (args, report) => {
        if (args.type !== type) return args.notApplicable(`Policy only applies to resources of type '${type}'`);
        const snap = snapshot(args.props as Props);
        if (isUnknown(snap)) return;
        return validate(snap as Exclude<Snap<Props>, Unknown>, args, report);
    };
    fn.__pulumiType = type;
    return fn;
}

/** A validation of every cluster spec of a Databricks Cluster or Job. */
export function onClusterSpecs(
    validate: (located: LocatedSpec, args: ResourceValidationArgs, report: ReportViolation) => void,
): ResourceValidation {
    return (args, report) => {
        if (args.type !== "databricks:index/cluster:Cluster" && args.type !== "databricks:index/job:Job") {
            args.notApplicable("applies to Databricks clusters and jobs");
        }
        const specs = clusterSpecs(args.type, snapshot(args.props) as Record<string, unknown>);
        for (const located of specs) validate(located, args, report);
    };
}


/** A stack's resources as plain data, every value still unknown at preview the `unknown` marker. */
export function snapshots(resources: readonly PolicyResource[]): Labelled[] {
    return resources.map((r) => ({ type: r.type, props: snapshot(r.props) as Record<string, unknown> }));
}
