/**
 * Runs a CrossGuard policy pack the way the Pulumi CLI does, without the CLI: starts the pack
 * as its own process (`node <@pulumi/pulumi>/cmd/run-policy-pack <engine-address> .` in the
 * pack's folder, which compiles its TypeScript with ts-node and prints its gRPC port), then
 * speaks the Analyzer protocol to it: ConfigureStack, GetAnalyzerInfo, Configure, Analyze for
 * every resource (inputs) and AnalyzeStack for the whole graph (outputs, parents,
 * dependencies). Used by the `migration` CLI and the policy integration tests.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline";
import * as grpc from "@grpc/grpc-js";
import * as analyzerGrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { parse as parseYaml } from "yaml";
import { adopt } from "../engine/children";
import { GraphResource, isSecretMarker, ResourceGraph, secretSig, specialSigKey } from "../model/graph";
import { unknownPlaceholder, unknownValue } from "../engine/wire";

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
}

export interface PolicyPackHandle {
    dir: string;
    info: AnalyzerInfo;
    analyze(graph: ResourceGraph, options?: AnalyzeOptions): Promise<Analysis>;
    close(): Promise<void>;
}

export type PolicyPackErrorKind = "missing" | "crashed" | "timeout" | "config" | "analysis";

export class PolicyPackError extends Error {
    constructor(
        readonly kind: PolicyPackErrorKind,
        message: string,
        /** The end of the pack's stderr, when the process said anything. */
        readonly stderr = "",
    ) {
        super(stderr ? `${message}\n--- policy pack stderr (last lines) ---\n${stderr}` : message);
        this.name = "PolicyPackError";
    }
}

/** Run-policy-pack takes the engine's address first; a pack that serves only never dials it. */
const engineAddress = "127.0.0.1:0";
const defaultTimeoutMs = 120_000;
const maxMessageBytes = 400 * 1024 * 1024;
const stderrKeep = 16 * 1024;
/** Longest violation message kept; a report is for people, and a longer one is cut with a note. */
export const maxDiagnosticChars = 16 * 1024;

function truncated(message: string): string {
    if (message.length <= maxDiagnosticChars) return message;
    return `${message.slice(0, maxDiagnosticChars)}… [truncated by the policy runner: ${message.length} characters in all]`;
}

const levelNames: Record<number, EnforcementLevel> = {
    [analyzerPb.EnforcementLevel.ADVISORY]: "advisory",
    [analyzerPb.EnforcementLevel.MANDATORY]: "mandatory",
    [analyzerPb.EnforcementLevel.REMEDIATE]: "remediate",
    [analyzerPb.EnforcementLevel.DISABLED]: "disabled",
};
const levelValues = Object.fromEntries(Object.entries(levelNames).map(([k, v]) => [v, Number(k)])) as Record<
    EnforcementLevel,
    analyzerPb.EnforcementLevel
>;
const severityNames: Record<number, Severity | undefined> = {
    [analyzerPb.PolicySeverity.POLICY_SEVERITY_LOW]: "low",
    [analyzerPb.PolicySeverity.POLICY_SEVERITY_MEDIUM]: "medium",
    [analyzerPb.PolicySeverity.POLICY_SEVERITY_HIGH]: "high",
    [analyzerPb.PolicySeverity.POLICY_SEVERITY_CRITICAL]: "critical",
};

/**
 * Checks the pack folder and reads its `PulumiPolicy.yaml` as the CLI does: `runtime` must be
 * nodejs (this runner starts Node.js packs only) and `main`, when set, is the entry the pack
 * runs from. Returns the runner script and the program argument.
 */
function checkPackDir(dir: string): { runner: string; program: string } {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        throw new PolicyPackError("missing", `policy pack not found: ${dir} is not a directory`);
    }
    const projectFile = path.join(dir, "PulumiPolicy.yaml");
    if (!fs.existsSync(projectFile)) {
        throw new PolicyPackError("missing", `policy pack not found: ${dir} has no PulumiPolicy.yaml`);
    }
    let doc: { runtime?: unknown; main?: unknown } | null;
    try {
        doc = parseYaml(fs.readFileSync(projectFile, "utf8")) as typeof doc;
    } catch (err) {
        throw new PolicyPackError("config", `${projectFile} is not valid YAML: ${(err as Error).message}`);
    }
    const runtime = doc && typeof doc.runtime === "object" && doc.runtime !== null ? (doc.runtime as { name?: unknown }).name : doc?.runtime;
    if (runtime !== "nodejs") {
        throw new PolicyPackError(
            "config",
            `${projectFile}: runtime ${runtime === undefined ? "is not set" : `= ${JSON.stringify(runtime)}`}; this runner starts Node.js policy packs (runtime: nodejs) only`,
        );
    }
    if (doc?.main !== undefined && typeof doc.main !== "string") {
        throw new PolicyPackError("config", `${projectFile}: main = ${JSON.stringify(doc.main)}; expected a path relative to the pack folder`);
    }
    const program = typeof doc?.main === "string" ? doc.main : ".";
    if (!fs.existsSync(path.resolve(dir, program))) {
        throw new PolicyPackError("missing", `${projectFile}: main = ${JSON.stringify(program)}, which does not exist in ${dir}`);
    }
    try {
        const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [dir] }));
        return { runner: path.join(sdk, "cmd", "run-policy-pack"), program };
    } catch {
        throw new PolicyPackError(
            "missing",
            `the policy pack in ${dir} cannot resolve @pulumi/pulumi; install its dependencies (npm ci)`,
        );
    }
}

/** Starts the pack in `dir` and returns a handle once it answers GetAnalyzerInfo. */
export async function startPolicyPack(dir: string, options: StartOptions = {}): Promise<PolicyPackHandle> {
    const packDir = path.resolve(dir);
    const { runner, program } = checkPackDir(packDir);
    const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    const child = spawn(process.execPath, [runner, engineAddress, program], {
        cwd: packDir,
        env: { ...process.env, ...options.env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    const process_ = new PackProcess(child);
    let port: number;
    try {
        port = await process_.port(timeoutMs);
    } catch (error) {
        await process_.kill();
        throw error;
    }
    const connect = () =>
        new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
            "grpc.max_receive_message_length": maxMessageBytes,
            "grpc.max_send_message_length": maxMessageBytes,
        });
    const rpc = new Rpc(connect, process_, options.callTimeoutMs ?? timeoutMs);
    let info: AnalyzerInfo;
    try {
        info = toAnalyzerInfo(await rpc.call("GetAnalyzerInfo", (cb, o, client) => client.getAnalyzerInfo(new Empty(), new grpc.Metadata(), o, cb)));
    } catch (error) {
        rpc.close();
        await process_.kill();
        throw error;
    }
    let closed = false;
    return {
        dir: packDir,
        info,
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

/** The pack's process: its port line, its stderr tail, and its exit. */
class PackProcess {
    private stderrTail = "";
    exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    private readonly exitPromise: Promise<void>;

    constructor(readonly child: ChildProcess) {
        // A pack left behind would serve forever: it ends with this process, signals included.
        adopt(child);
        child.stderr!.setEncoding("utf8");
        child.stderr!.on("data", (chunk: string) => {
            this.stderrTail = (this.stderrTail + chunk).slice(-stderrKeep);
        });
        this.exitPromise = new Promise((resolve) => {
            child.on("exit", (code, signal) => {
                this.exited = { code, signal };
                resolve();
            });
            child.on("error", () => {
                this.exited ??= { code: null, signal: null };
                resolve();
            });
        });
    }

    get stderr(): string {
        return this.stderrTail.trim();
    }

    describeExit(): string {
        const e = this.exited;
        if (!e) return "is running";
        return e.signal ? `was killed by ${e.signal}` : `exited with code ${e.code}`;
    }

    port(timeoutMs: number): Promise<number> {
        return new Promise((resolve, reject) => {
            const lines = readline.createInterface({ input: this.child.stdout! });
            const done = (fn: () => void) => {
                clearTimeout(timer);
                lines.close();
                // Keep draining: a pack that logs to stdout must never block on a full pipe.
                this.child.stdout!.resume();
                fn();
            };
            const timer = setTimeout(
                () =>
                    done(() =>
                        reject(
                            new PolicyPackError(
                                "timeout",
                                `the policy pack did not print its port within ${timeoutMs} ms (it may be hanging or still compiling)`,
                                this.stderr,
                            ),
                        ),
                    ),
                timeoutMs,
            );
            lines.on("line", (line) => {
                const trimmed = line.trim();
                if (/^\d+$/.test(trimmed)) done(() => resolve(Number(trimmed)));
            });
            this.exitPromise.then(() =>
                done(() =>
                    reject(new PolicyPackError("crashed", `the policy pack ${this.describeExit()} before serving`, this.stderr)),
                ),
            );
        });
    }

    onExit(): Promise<void> {
        return this.exitPromise;
    }

    async kill(): Promise<void> {
        if (this.exited) return;
        this.child.kill("SIGTERM");
        const timer = setTimeout(() => this.child.kill("SIGKILL"), 3000);
        await this.exitPromise;
        clearTimeout(timer);
    }
}

type Callback<T> = (error: grpc.ServiceError | null, response: T) => void;

/**
 * Unary calls with a deadline, failing fast with the pack's stderr when the process dies. A
 * call that times out may leave its connection wedged (a pack's error message over 64 KB
 * cannot be sent as a gRPC trailer, and the HTTP/2 session stalls): the next call gets a new
 * connection.
 */
class Rpc {
    private readonly pending = new Set<(error: PolicyPackError) => void>();
    private client: analyzerGrpc.AnalyzerClient;

    constructor(
        private readonly connect: () => analyzerGrpc.AnalyzerClient,
        readonly process: PackProcess,
        readonly timeoutMs: number,
    ) {
        this.client = connect();
        process.onExit().then(() => {
            for (const fail of this.pending) fail(this.crashed());
            this.pending.clear();
        });
    }

    private crashed(during?: string): PolicyPackError {
        const when = during ? ` during ${during}` : "";
        return new PolicyPackError("crashed", `the policy pack ${this.process.describeExit()}${when}`, this.process.stderr);
    }

    close(): void {
        this.client.close();
    }

    call<T>(name: string, invoke: (cb: Callback<T>, options: Partial<grpc.CallOptions>, client: analyzerGrpc.AnalyzerClient) => unknown): Promise<T> {
        if (this.process.exited) return Promise.reject(this.crashed(name));
        return new Promise<T>((resolve, reject) => {
            const fail = (error: PolicyPackError) => reject(error);
            this.pending.add(fail);
            invoke(
                (error, response) => {
                    if (!this.pending.delete(fail)) return; // the process ended first
                    if (!error) return resolve(response);
                    if (error.code === grpc.status.DEADLINE_EXCEEDED) {
                        this.client.close();
                        this.client = this.connect();
                        return reject(
                            new PolicyPackError(
                                "timeout",
                                `${name} did not answer within ${this.timeoutMs} ms (a policy that fails with an error message over 64 KB ` +
                                    "is one cause: gRPC cannot carry it, and the call never ends)",
                                this.process.stderr,
                            ),
                        );
                    }
                    if (error.code === grpc.status.UNAVAILABLE) {
                        // The connection dropped: most likely the process is ending; say so once it has.
                        const grace = new Promise((r) => setTimeout(r, 2000).unref());
                        void Promise.race([this.process.onExit(), grace]).then(() =>
                            reject(this.process.exited ? this.crashed(name) : new PolicyPackError("analysis", `${name} failed: ${error.details}`, this.process.stderr)),
                        );
                        return;
                    }
                    reject(new PolicyPackError("analysis", `${name} failed: ${truncated(error.details || error.message)}`, this.process.stderr));
                },
                { deadline: Date.now() + this.timeoutMs },
                this.client,
            );
        });
    }
}

function structToJs(struct: Struct | undefined): Record<string, unknown> {
    return (struct?.toJavaScript() as Record<string, unknown> | undefined) ?? {};
}

function toAnalyzerInfo(info: analyzerPb.AnalyzerInfo): AnalyzerInfo {
    return {
        name: info.getName(),
        version: info.getVersion(),
        description: info.getDescription() || undefined,
        supportsConfig: info.getSupportsconfig(),
        policies: info.getPoliciesList().map((p) => {
            const schema = p.getConfigschema();
            const type = p.getPolicyType();
            return {
                name: p.getName(),
                description: p.getDescription(),
                enforcementLevel: levelNames[p.getEnforcementlevel()] ?? "advisory",
                type:
                    type === analyzerPb.PolicyType.POLICY_TYPE_RESOURCE
                        ? "resource"
                        : type === analyzerPb.PolicyType.POLICY_TYPE_STACK
                          ? "stack"
                          : "unknown",
                ...(schema
                    ? {
                          configSchema: {
                              properties: structToJs(schema.getProperties()) as Record<string, Record<string, unknown>>,
                              required: schema.getRequiredList(),
                          },
                      }
                    : {}),
                ...(severityNames[p.getSeverity()] ? { severity: severityNames[p.getSeverity()] } : {}),
                ...(p.getDisplayname() ? { displayName: p.getDisplayname() } : {}),
            };
        }),
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

function toStruct(props: Record<string, unknown>): Struct {
    const wire: Record<string, unknown> = {};
    // The engine skips internal keys (`__defaults` and the like) when it marshals for analyzers.
    for (const [k, v] of Object.entries(props)) if (!k.startsWith("__") && v !== undefined) wire[k] = toWireValue(v);
    return Struct.fromJavaScript(wire as Record<string, never>);
}

function resourceOptions(resource: GraphResource): analyzerPb.AnalyzerResourceOptions {
    const options = new analyzerPb.AnalyzerResourceOptions();
    options.setProtect(resource.protect);
    options.setIgnorechangesList(resource.ignoreChanges);
    options.setAdditionalsecretoutputsList(resource.additionalSecretOutputs ?? []);
    options.setAliasesList([]);
    options.setDeletebeforereplacedefined(false);
    if (resource.parent) options.setParent(resource.parent);
    return options;
}

function providerOf(resource: GraphResource, byUrn: Map<string, GraphResource>): analyzerPb.AnalyzerProviderResource | undefined {
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

function toDiagnostics(response: analyzerPb.AnalyzeResponse, urn?: string): Analysis {
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

async function analyzeGraph(rpc: Rpc, info: AnalyzerInfo, graph: ResourceGraph, options: AnalyzeOptions): Promise<Analysis> {
    const stackRequest = new analyzerPb.AnalyzerStackConfigureRequest();
    stackRequest.setStack(graph.stack);
    stackRequest.setProject(graph.project);
    stackRequest.setOrganization(options.organization ?? "organization");
    stackRequest.setDryRun(options.dryRun ?? true);
    for (const [k, v] of Object.entries(options.stackTags ?? {})) stackRequest.getTagsMap().set(k, v);
    for (const [k, v] of Object.entries(options.stackConfig ?? {})) stackRequest.getConfigMap().set(k, v);
    stackRequest.setConfigSecretKeysList(options.stackSecretKeys ?? []);
    await rpc.call("ConfigureStack", (cb, o, client) => client.configureStack(stackRequest, new grpc.Metadata(), o, cb));

    // As the CLI: a pack that takes config gets every policy's effective level and settings.
    const resolved = resolvePolicyConfig(info, options.config);
    if (info.supportsConfig) {
        const configure = new analyzerPb.ConfigureAnalyzerRequest();
        for (const [name, { enforcementLevel, properties }] of Object.entries(resolved)) {
            const policyConfig = new analyzerPb.PolicyConfig();
            policyConfig.setEnforcementlevel(levelValues[enforcementLevel]);
            policyConfig.setProperties(Struct.fromJavaScript(properties as Record<string, never>));
            configure.getPolicyconfigMap().set(name, policyConfig);
        }
        await rpc.call("Configure", (cb, o, client) => client.configure(configure, new grpc.Metadata(), o, cb));
    } else if (options.config && Object.keys(options.config).length > 0) {
        throw new PolicyPackError("config", `the policy pack ${info.name} takes no config`);
    }

    const byUrn = new Map(graph.resources.map((r) => [r.urn, r]));
    const result: Analysis = { diagnostics: [], notApplicable: [] };
    const add = (a: Analysis) => {
        result.diagnostics.push(...a.diagnostics);
        result.notApplicable.push(...a.notApplicable);
    };
    for (const resource of graph.resources) {
        const request = new analyzerPb.AnalyzeRequest();
        request.setUrn(resource.urn);
        request.setType(resource.type);
        request.setName(resource.name);
        request.setProperties(toStruct(resource.inputs));
        request.setOptions(resourceOptions(resource));
        const provider = providerOf(resource, byUrn);
        if (provider) request.setProvider(provider);
        const response = await rpc.call<analyzerPb.AnalyzeResponse>(`Analyze(${resource.urn})`, (cb, o, client) => client.analyze(request, new grpc.Metadata(), o, cb),
        );
        add(toDiagnostics(response, resource.urn));
    }

    const stack = new analyzerPb.AnalyzeStackRequest();
    stack.setResourcesList(
        graph.resources.map((resource) => {
            const r = new analyzerPb.AnalyzerResource();
            r.setUrn(resource.urn);
            r.setType(resource.type);
            r.setName(resource.name);
            r.setProperties(toStruct(resource.outputs));
            r.setOptions(resourceOptions(resource));
            const provider = providerOf(resource, byUrn);
            if (provider) r.setProvider(provider);
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
    const response = await rpc.call<analyzerPb.AnalyzeResponse>("AnalyzeStack", (cb, o, client) => client.analyzeStack(stack, new grpc.Metadata(), o, cb),
    );
    add(toDiagnostics(response));
    return result;
}

/** Diagnostics that block a deployment (what `pulumi preview` fails on). */
export function mandatory(diagnostics: readonly Diagnostic[]): Diagnostic[] {
    return diagnostics.filter((d) => d.enforcementLevel === "mandatory" || d.enforcementLevel === "remediate");
}
