/**
 * The resource graph as the Analyzer protocol carries it, and the pack's answers back. The
 * engine marshals property values for analyzers in its own way (secrets and unknowns as
 * signature objects, internal `__` keys left out, each resource's provider beside it); a pack
 * judges what it is sent, so this must match the CLI's marshalling, not merely be valid
 * protobuf. Pure conversions: no process, no connection.
 */
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { GraphResource, isSecretMarker, ResourceGraph, secretSig, specialSigKey } from "../model/graph";
import { unknownPlaceholder, unknownValue } from "../engine/wire";
import type { Analysis, AnalyzeOptions, EnforcementLevel, Severity } from "./analyzer";

/** Longest violation message kept; a report is for people, and a longer one is cut with a note. */
export const maxDiagnosticChars = 16 * 1024;

export function truncated(message: string): string {
    if (message.length <= maxDiagnosticChars) return message;
    return `${message.slice(0, maxDiagnosticChars)}… [truncated by the policy runner: ${message.length} characters in all]`;
}

export const levelNames: Record<number, EnforcementLevel> = {
    [analyzerPb.EnforcementLevel.ADVISORY]: "advisory",
    [analyzerPb.EnforcementLevel.MANDATORY]: "mandatory",
    [analyzerPb.EnforcementLevel.REMEDIATE]: "remediate",
    [analyzerPb.EnforcementLevel.DISABLED]: "disabled",
};
export const levelValues = Object.fromEntries(Object.entries(levelNames).map(([k, v]) => [v, Number(k)])) as Record<
    EnforcementLevel,
    analyzerPb.EnforcementLevel
>;
export const severityNames: Record<number, Severity | undefined> = {
    [analyzerPb.PolicySeverity.POLICY_SEVERITY_LOW]: "low",
    [analyzerPb.PolicySeverity.POLICY_SEVERITY_MEDIUM]: "medium",
    [analyzerPb.PolicySeverity.POLICY_SEVERITY_HIGH]: "high",
    [analyzerPb.PolicySeverity.POLICY_SEVERITY_CRITICAL]: "critical",
};

export function structToJs(struct: Struct | undefined): Record<string, unknown> {
    return (struct?.toJavaScript() as Record<string, unknown> | undefined) ?? {};
}

/** Property values as the engine marshals them for analyzers: secrets and unknowns kept. */
export function toWireValue(value: unknown): unknown {
    if (value === unknownPlaceholder) return unknownValue;
    if (isSecretMarker(value)) return { [specialSigKey]: secretSig, value: value.ciphertext };
    if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : toWireValue(v)));
    if (value === null || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v !== undefined) out[k] = toWireValue(v);
    }
    return out;
}

export function toStruct(props: Record<string, unknown>): Struct {
    const wire: Record<string, unknown> = {};
    // The engine skips internal keys (`__defaults` and the like) when it marshals for analyzers.
    for (const [k, v] of Object.entries(props)) if (!k.startsWith("__") && v !== undefined) wire[k] = toWireValue(v);
    return Struct.fromJavaScript(wire as Record<string, never>);
}

export function resourceOptions(resource: GraphResource): analyzerPb.AnalyzerResourceOptions {
    const options = new analyzerPb.AnalyzerResourceOptions();
    options.setProtect(resource.protect);
    options.setIgnorechangesList(resource.ignoreChanges);
    options.setAdditionalsecretoutputsList(resource.additionalSecretOutputs ?? []);
    options.setAliasesList([]);
    options.setDeletebeforereplacedefined(false);
    if (resource.parent) options.setParent(resource.parent);
    return options;
}

export function providerOf(resource: GraphResource, byUrn: Map<string, GraphResource>): analyzerPb.AnalyzerProviderResource | undefined {
    if (!resource.provider) return undefined;
    const urn = resource.provider.slice(0, resource.provider.lastIndexOf("::"));
    const provider = byUrn.get(urn);
    if (!provider) return undefined;
    const message = new analyzerPb.AnalyzerProviderResource();
    message.setUrn(provider.urn);
    message.setType(provider.type);
    message.setName(provider.name);
    message.setProperties(toStruct(provider.inputs));
    return message;
}

export function toDiagnostics(response: analyzerPb.AnalyzeResponse, urn?: string): Analysis {
    return {
        diagnostics: response.getDiagnosticsList().map((d) => ({
            policyPackName: d.getPolicypackname(),
            policyPackVersion: d.getPolicypackversion(),
            policyName: d.getPolicyname(),
            enforcementLevel: levelNames[d.getEnforcementlevel()] ?? "advisory",
            ...(d.getUrn() || urn ? { urn: d.getUrn() || urn } : {}),
            message: truncated(d.getMessage()),
            description: d.getDescription(),
            ...(severityNames[d.getSeverity()] ? { severity: severityNames[d.getSeverity()] } : {}),
        })),
        notApplicable: response.getNotApplicableList().map((n) => ({
            policyName: n.getPolicyName(),
            reason: n.getReason(),
            ...(urn ? { urn } : {}),
        })),
    };
}

/** ConfigureStack: the stack's identity, tags and config, as the CLI sends them before any analysis. */
export function stackConfigureRequest(graph: ResourceGraph, options: AnalyzeOptions): analyzerPb.AnalyzerStackConfigureRequest {
    const request = new analyzerPb.AnalyzerStackConfigureRequest();
    request.setStack(graph.stack);
    request.setProject(graph.project);
    request.setOrganization(options.organization ?? "organization");
    request.setDryRun(options.dryRun ?? true);
    for (const [k, v] of Object.entries(options.stackTags ?? {})) request.getTagsMap().set(k, v);
    for (const [k, v] of Object.entries(options.stackConfig ?? {})) request.getConfigMap().set(k, v);
    request.setConfigSecretKeysList(options.stackSecretKeys ?? []);
    return request;
}

/** Configure: every policy's effective level and settings. */
export function configureRequest(
    resolved: Record<string, { enforcementLevel: EnforcementLevel; properties: Record<string, unknown> }>,
): analyzerPb.ConfigureAnalyzerRequest {
    const configure = new analyzerPb.ConfigureAnalyzerRequest();
    for (const [name, { enforcementLevel, properties }] of Object.entries(resolved)) {
        const policyConfig = new analyzerPb.PolicyConfig();
        policyConfig.setEnforcementlevel(levelValues[enforcementLevel]);
        policyConfig.setProperties(Struct.fromJavaScript(properties as Record<string, never>));
        configure.getPolicyconfigMap().set(name, policyConfig);
    }
    return configure;
}

/** What an Analyze request and an AnalyzeStack resource both say of a resource. */
interface DescribedResource {
    setUrn(urn: string): unknown;
    setType(type: string): unknown;
    setName(name: string): unknown;
    setProperties(properties: Struct): unknown;
    setOptions(options: analyzerPb.AnalyzerResourceOptions): unknown;
    setProvider(provider: analyzerPb.AnalyzerProviderResource): unknown;
}

function describe<T extends DescribedResource>(target: T, resource: GraphResource, properties: Record<string, unknown>, byUrn: Map<string, GraphResource>): T {
    target.setUrn(resource.urn);
    target.setType(resource.type);
    target.setName(resource.name);
    target.setProperties(toStruct(properties));
    target.setOptions(resourceOptions(resource));
    const provider = providerOf(resource, byUrn);
    if (provider) target.setProvider(provider);
    return target;
}

/** Analyze: one resource as it is about to be created, its inputs only. */
export function analyzeRequest(resource: GraphResource, byUrn: Map<string, GraphResource>): analyzerPb.AnalyzeRequest {
    return describe(new analyzerPb.AnalyzeRequest(), resource, resource.inputs, byUrn);
}

/** AnalyzeStack: the whole graph after the update, with outputs, parents and dependencies. */
export function analyzeStackRequest(graph: ResourceGraph, byUrn: Map<string, GraphResource>): analyzerPb.AnalyzeStackRequest {
    const stack = new analyzerPb.AnalyzeStackRequest();
    stack.setResourcesList(
        graph.resources.map((resource) => {
            const r = describe(new analyzerPb.AnalyzerResource(), resource, resource.outputs, byUrn);
            if (resource.parent) r.setParent(resource.parent);
            r.setDependenciesList(resource.dependencies);
            for (const [key, urns] of Object.entries(resource.propertyDependencies)) {
                if (urns.length === 0) continue;
                const deps = new analyzerPb.AnalyzerPropertyDependencies();
                deps.setUrnsList(urns);
                r.getPropertydependenciesMap().set(key, deps);
            }
            return r;
        }),
    );
    return stack;
}
