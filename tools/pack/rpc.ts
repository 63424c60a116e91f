/**
 * The gRPC side of the Analyzer protocol: one client per pack, each call with a deadline. A
 * pack fails in ways a plain client does not survive (its process dies mid-call, or a call
 * never ends), so every call here fails fast with the pack's stderr instead of hanging the
 * command, and a wedged connection is replaced before the next call.
 */
import * as grpc from "@grpc/grpc-js";
import * as analyzerGrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import type { AnalyzerInfo } from "./analyzer";
import { PolicyPackError } from "./errors";
import { PackProcess } from "./process";
import { levelNames, severityNames, structToJs, truncated } from "./wire";

const maxMessageBytes = 400 * 1024 * 1024;

type Callback<T> = (error: grpc.ServiceError | null, response: T) => void;

/** A client of the pack serving on `port`, each call bounded by `timeoutMs`. */
export function connectAnalyzer(port: number, process: PackProcess, timeoutMs: number): Rpc {
    const connect = () =>
        new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
            "grpc.max_receive_message_length": maxMessageBytes,
            "grpc.max_send_message_length": maxMessageBytes,
        });
    return new Rpc(connect, process, timeoutMs);
}

/**
 * Unary calls with a deadline, failing fast with the pack's stderr when the process dies. A
 * call that times out may leave its connection wedged (a pack's error message over 64 KB
 * cannot be sent as a gRPC trailer, and the HTTP/2 session stalls): the next call gets a new
 * connection.
 */
export class Rpc {
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

    async getAnalyzerInfo(): Promise<AnalyzerInfo> {
        return toAnalyzerInfo(await this.call("GetAnalyzerInfo", (cb, o, client) => client.getAnalyzerInfo(new Empty(), new grpc.Metadata(), o, cb)));
    }

    async configureStack(request: analyzerPb.AnalyzerStackConfigureRequest): Promise<void> {
        await this.call("ConfigureStack", (cb, o, client) => client.configureStack(request, new grpc.Metadata(), o, cb));
    }

    async configure(request: analyzerPb.ConfigureAnalyzerRequest): Promise<void> {
        await this.call("Configure", (cb, o, client) => client.configure(request, new grpc.Metadata(), o, cb));
    }

    analyze(request: analyzerPb.AnalyzeRequest): Promise<analyzerPb.AnalyzeResponse> {
        return this.call<analyzerPb.AnalyzeResponse>(`Analyze(${request.getUrn()})`, (cb, o, client) => client.analyze(request, new grpc.Metadata(), o, cb));
    }

    analyzeStack(request: analyzerPb.AnalyzeStackRequest): Promise<analyzerPb.AnalyzeResponse> {
        return this.call<analyzerPb.AnalyzeResponse>("AnalyzeStack", (cb, o, client) => client.analyzeStack(request, new grpc.Metadata(), o, cb));
    }

    private call<T>(name: string, invoke: (cb: Callback<T>, options: Partial<grpc.CallOptions>, client: analyzerGrpc.AnalyzerClient) => unknown): Promise<T> {
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

export function toAnalyzerInfo(info: analyzerPb.AnalyzerInfo): AnalyzerInfo {
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
