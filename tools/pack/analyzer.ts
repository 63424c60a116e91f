/**
 * Runs a CrossGuard policy pack the way the Pulumi CLI does, without the CLI: the public face
 * of the policy runner, used by the `migration` CLI and the policy integration tests. It starts
 * the pack (process.ts), then speaks the Analyzer protocol to it (rpc.ts) in the CLI's order:
 * ConfigureStack, GetAnalyzerInfo, Configure, Analyze for every resource (inputs) and
 * AnalyzeStack for the whole graph (outputs, parents, dependencies), the graph marshalled as
 * the engine marshals it (wire.ts). Callers import from here only, so the parts can change
 * without touching them.
 */
import * as path from "node:path";
import { GraphResource, ResourceGraph } from "../model/graph";
import { PolicyPackError } from "./errors";
import { startPackProcess } from "./process";
import { connectAnalyzer, Rpc } from "./rpc";
import { analyzeRequest, analyzeStackRequest, configureRequest, levelValues, stackConfigureRequest, toDiagnostics } from "./wire";

export { PolicyPackError, type PolicyPackErrorKind } from "./errors";
export { maxDiagnosticChars, toWireValue } from "./wire";

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
export type Severity = "low" | "medium" | "high" | "critical";

export interface PolicyInfo {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    type: "resource" | "stack" | "unknown";
    configSchema?: { properties: Record<string, Record<string, unknown>>; required: string[] };
    severity?: Severity;
    displayName?: string;
}

export interface AnalyzerInfo {
    name: string;
    version: string;
    description?: string;
    supportsConfig: boolean;
    policies: PolicyInfo[];
}

export interface Diagnostic {
    policyPackName: string;
    policyPackVersion: string;
    policyName: string;
    enforcementLevel: EnforcementLevel;
    /** The resource the violation is about; absent for a stack-wide violation. */
    urn?: string;
    message: string;
    description: string;
    severity?: Severity;
}

export interface NotApplicable {
    policyName: string;
    reason: string;
    /** The resource analysed; absent for AnalyzeStack. */
    urn?: string;
}

export interface Analysis {
    diagnostics: Diagnostic[];
    notApplicable: NotApplicable[];
}

/** Policy config as in a `--policy-pack-config` file: a level, or properties with an optional level. */
export type PolicyPackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

export interface AnalyzeOptions {
    config?: PolicyPackConfig;
    stackTags?: Record<string, string>;
    organization?: string;
    /** True for a preview (the default), false for an update. */
    dryRun?: boolean;
    /** The stack's config, as ConfigureStack carries it (fully qualified keys). */
    stackConfig?: Record<string, string>;
    stackSecretKeys?: string[];
}

export interface StartOptions {
    /** Bound on starting the pack (compiling it included) and on each RPC. Default 120 s. */
    timeoutMs?: number;
    /** Bound on each RPC when it differs from the start's. */
    callTimeoutMs?: number;
    /** Extra environment for the pack's process. */
    env?: Record<string, string>;
    /** Type-check the pack at this start even if a start with the same inputs passed (process.ts). */
    typeCheckEveryStart?: boolean;
}

export interface PolicyPackHandle {
    dir: string;
    info: AnalyzerInfo;
    /** Whether the pack was type-checked at this start, as the Pulumi CLI's runner does at each. */
    typeChecked: boolean;
    analyze(graph: ResourceGraph, options?: AnalyzeOptions): Promise<Analysis>;
    close(): Promise<void>;
}

const defaultTimeoutMs = 120_000;

/** Starts the pack in `dir` and returns a handle once it answers GetAnalyzerInfo. */
export async function startPolicyPack(dir: string, options: StartOptions = {}): Promise<PolicyPackHandle> {
    const packDir = path.resolve(dir);
    const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    const { process: process_, port } = await startPackProcess(packDir, { timeoutMs, env: options.env, typeCheckEveryStart: options.typeCheckEveryStart });
    const rpc = connectAnalyzer(port, process_, options.callTimeoutMs ?? timeoutMs);
    let info: AnalyzerInfo;
    try {
        info = await rpc.getAnalyzerInfo();
    } catch (error) {
        rpc.close();
        await process_.kill();
        throw error;
    }
    let closed = false;
    return {
        dir: packDir,
        info,
        typeChecked: process_.typeChecked,
        analyze: (graph, analyzeOptions = {}) => {
            if (closed) return Promise.reject(new PolicyPackError("crashed", `the policy pack in ${packDir} was closed`));
            return analyzeGraph(rpc, info, graph, analyzeOptions);
        },
        close: async () => {
            if (closed) return;
            closed = true;
            rpc.close();
            await process_.kill();
        },
    };
}

/**
 * The config every policy receives, as the CLI sends it: each policy's effective enforcement
 * level (configured, else its own) and its properties over the schema's defaults. A config
 * naming an unknown policy or breaking a schema is refused before anything runs.
 */
export function resolvePolicyConfig(
    info: AnalyzerInfo,
    config: PolicyPackConfig = {},
): Record<string, { enforcementLevel: EnforcementLevel; properties: Record<string, unknown> }> {
    const problems: string[] = [];
    const byName = new Map(info.policies.map((p) => [p.name, p]));
    const levels = Object.keys(levelValues);
    for (const name of Object.keys(config)) {
        if (name !== "all" && !byName.has(name)) problems.push(`"${name}": no such policy in ${info.name}`);
    }
    const all = config.all;
    const resolved: Record<string, { enforcementLevel: EnforcementLevel; properties: Record<string, unknown> }> = {};
    for (const policy of info.policies) {
        const entry = config[policy.name];
        const { enforcementLevel: configuredLevel, ...props } =
            typeof entry === "string" ? { enforcementLevel: entry } : (entry ?? {});
        const level = configuredLevel ?? (typeof all === "string" ? all : all?.enforcementLevel) ?? policy.enforcementLevel;
        if (!levels.includes(level)) problems.push(`${policy.name}.enforcementLevel = ${JSON.stringify(level)}: expected one of ${levels.join(", ")}`);
        const properties: Record<string, unknown> = {};
        const schemaProps = policy.configSchema?.properties ?? {};
        for (const [key, schema] of Object.entries(schemaProps)) {
            if (schema.default !== undefined) properties[key] = schema.default;
        }
        for (const [key, value] of Object.entries(props)) {
            const schema = schemaProps[key];
            if (!schema) {
                problems.push(`${policy.name}.${key}: no such setting; known settings are ${Object.keys(schemaProps).join(", ") || "none"}`);
                continue;
            }
            const problem = schemaProblem(value, schema);
            if (problem) problems.push(`${policy.name}.${key} = ${JSON.stringify(value)}: ${problem}`);
            properties[key] = value;
        }
        for (const key of policy.configSchema?.required ?? []) {
            if (properties[key] === undefined) problems.push(`${policy.name}.${key}: required`);
        }
        resolved[policy.name] = { enforcementLevel: level as EnforcementLevel, properties };
    }
    if (problems.length > 0) {
        throw new PolicyPackError("config", `invalid policy config for ${info.name}:\n  - ${problems.join("\n  - ")}`);
    }
    return resolved;
}

/** The subset of JSON schema the pack's settings use: type, bounds, enum. */
function schemaProblem(value: unknown, schema: Record<string, unknown>): string | undefined {
    const type = schema.type;
    const actual = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
    const ok =
        type === undefined ||
        type === actual ||
        (type === "integer" && typeof value === "number" && Number.isInteger(value)) ||
        (type === "number" && typeof value === "number");
    if (!ok) return `expected ${String(type)}`;
    if (typeof value === "number") {
        if (typeof schema.minimum === "number" && value < schema.minimum) return `expected ≥ ${schema.minimum}`;
        if (typeof schema.maximum === "number" && value > schema.maximum) return `expected ≤ ${schema.maximum}`;
        if (typeof schema.exclusiveMinimum === "number" && value <= schema.exclusiveMinimum) return `expected > ${schema.exclusiveMinimum}`;
    }
    if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return `expected one of ${JSON.stringify(schema.enum)}`;
    return undefined;
}

async function analyzeGraph(rpc: Rpc, info: AnalyzerInfo, graph: ResourceGraph, options: AnalyzeOptions): Promise<Analysis> {
    await rpc.configureStack(stackConfigureRequest(graph, options));

    // As the CLI: a pack that takes config gets every policy's effective level and settings.
    const resolved = resolvePolicyConfig(info, options.config);
    if (info.supportsConfig) {
        await rpc.configure(configureRequest(resolved));
    } else if (options.config && Object.keys(options.config).length > 0) {
        throw new PolicyPackError("config", `the policy pack ${info.name} takes no config`);
    }

    const byUrn = new Map<string, GraphResource>(graph.resources.map((r) => [r.urn, r]));
    const result: Analysis = { diagnostics: [], notApplicable: [] };
    const add = (a: Analysis) => {
        result.diagnostics.push(...a.diagnostics);
        result.notApplicable.push(...a.notApplicable);
    };
    for (const resource of graph.resources) {
        add(toDiagnostics(await rpc.analyze(analyzeRequest(resource, byUrn)), resource.urn));
    }
    add(toDiagnostics(await rpc.analyzeStack(analyzeStackRequest(graph, byUrn))));
    return result;
}

/** Diagnostics that block a deployment (what `pulumi preview` fails on). */
export function mandatory(diagnostics: readonly Diagnostic[]): Diagnostic[] {
    return diagnostics.filter((d) => d.enforcementLevel === "mandatory" || d.enforcementLevel === "remediate");
}
