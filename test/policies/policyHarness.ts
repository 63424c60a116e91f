/**
 * Runs one policy in-process on fixtures, with arguments built as the policy server builds
 * them: properties go through a protobuf Struct, the SDK's deserializer and its
 * unknown-checking proxy; `stackTags` is a frozen map; `notApplicable` throws the server's
 * error; stack resources are linked to their parents and dependencies. (Importing the pack's
 * index would start its gRPC server; the pack as a process is tested in pack.test.ts.)
 */
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import {
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { secretSig, specialSigKey } from "../../tools/model/graph";
import { unknownValue } from "../../tools/engine/wire";

// Internal modules of @pulumi/policy (pinned in package-lock.json): the server's own code paths.
const { deserializeProperties } = require("@pulumi/policy/deserialize") as {
    deserializeProperties(struct: Struct, proxySecrets: boolean): Record<string, unknown>;
};
const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as {
    unknownCheckingProxy<T>(value: T): T;
};

/** A value not known until the resource exists, as the engine sends it at preview. */
export const unknown = unknownValue;

/** A secret, as the engine sends it to analyzers. */
export function secret(value: unknown): unknown {
    return { [specialSigKey]: secretSig, value };
}

export interface Fixture {
    type: string;
    name: string;
    props: Record<string, unknown>;
    protect?: boolean;
    additionalSecretOutputs?: string[];
    /** Logical name of the parent. */
    parent?: string;
    /** Logical names of what the resource depends on. */
    dependsOn?: string[];
    /** Property → logical names, as the engine records property dependencies. */
    propertyDependencies?: Record<string, string[]>;
}

export function urnOf(type: string, name: string): string {
    return `urn:pulumi:test::gcp-databricks-migration::${type}::${name}`;
}

function wrapProps(props: Record<string, unknown>): Record<string, any> {
    const struct = Struct.fromJavaScript(JSON.parse(JSON.stringify(props)));
    return unknownCheckingProxy(deserializeProperties(struct, false));
}

class NotApplicableError extends Error {
    constructor(readonly reason?: string) {
        super(reason ?? "Policy does not apply");
    }
}

function freezeTags(tags: Record<string, string>): ReadonlyMap<string, string> {
    return Object.freeze(new Map(Object.entries(tags)));
}

function opts(f: Fixture, parentUrn?: string) {
    return {
        protect: f.protect ?? false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: f.additionalSecretOutputs ?? [],
        ...(parentUrn ? { parent: parentUrn } : {}),
    };
}

function isTypeOf(type: string, cls: unknown): boolean {
    return (cls as { __pulumiType?: string }).__pulumiType === type;
}

export interface Outcome {
    violations: { message: string; urn?: string }[];
    notApplicable?: string;
}

interface RunOptions {
    config?: Record<string, unknown>;
    stackTags?: Record<string, string>;
}

async function capture(run: (report: ReportViolation) => Promise<void> | void): Promise<Outcome> {
    const violations: Outcome["violations"] = [];
    try {
        await run((message, urn) => violations.push({ message, ...(urn ? { urn } : {}) }));
    } catch (error) {
        if (error instanceof NotApplicableError) return { violations, notApplicable: error.reason ?? "" };
        throw error;
    }
    return { violations };
}

export function runResourcePolicy(policy: ResourceValidationPolicy, fixture: Fixture, options: RunOptions = {}): Promise<Outcome> {
    const props = wrapProps(fixture.props);
    const args: ResourceValidationArgs = {
        type: fixture.type,
        name: fixture.name,
        urn: urnOf(fixture.type, fixture.name),
        props,
        opts: opts(fixture, fixture.parent && urnOf("migration:test:Component", fixture.parent)),
        stackTags: freezeTags(options.stackTags ?? {}),
        isType: (cls) => isTypeOf(fixture.type, cls),
        asType: ((cls: unknown) => (isTypeOf(fixture.type, cls) ? props : undefined)) as ResourceValidationArgs["asType"],
        getConfig: <T extends object>() => (options.config ?? {}) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicableError(reason);
        },
    };
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
    return capture(async (report) => {
        for (const validate of validations) await validate(args, report);
    });
}

export function runStackPolicy(policy: StackValidationPolicy, fixtures: Fixture[], options: RunOptions = {}): Promise<Outcome> {
    const byName = new Map<string, PolicyResource>();
    const resources = fixtures.map((f) => {
        const props = wrapProps(f.props);
        const resource: PolicyResource = {
            type: f.type,
            name: f.name,
            urn: urnOf(f.type, f.name),
            props,
            opts: opts(f),
            dependencies: [],
            propertyDependencies: {},
            isType: (cls) => isTypeOf(f.type, cls),
            asType: ((cls: unknown) => (isTypeOf(f.type, cls) ? props : undefined)) as PolicyResource["asType"],
        };
        byName.set(f.name, resource);
        return resource;
    });
    const lookup = (name: string) => {
        const found = byName.get(name);
        if (!found) throw new Error(`fixture refers to unknown resource "${name}"`);
        return found;
    };
    fixtures.forEach((f, i) => {
        const resource = resources[i];
        if (f.parent) {
            resource.parent = lookup(f.parent);
            resource.opts.parent = resource.parent.urn;
        }
        const deps = new Set([...(f.dependsOn ?? []), ...Object.values(f.propertyDependencies ?? {}).flat()]);
        resource.dependencies = [...deps].map(lookup);
        for (const [key, names] of Object.entries(f.propertyDependencies ?? {})) {
            resource.propertyDependencies[key] = names.map(lookup);
        }
    });
    const args: StackValidationArgs = {
        resources,
        stackTags: freezeTags(options.stackTags ?? {}),
        getConfig: <T extends object>() => (options.config ?? {}) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicableError(reason);
        },
    };
    return capture((report) => policy.validateStack(args, report));
}

/** The root stack resource with the program's `phase` output. */
export function stackRoot(phase: number): Fixture {
    return { type: "pulumi:pulumi:Stack", name: "gcp-databricks-migration-test", props: { phase } };
}
