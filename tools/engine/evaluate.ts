/**
 * Runs a Pulumi program in-process under the recording monitor and returns its resource
 * graph. The Pulumi runtime is process-global: evaluations in one process run one at a time,
 * and the engine's CLI runs each phase in its own process.
 */
import * as pulumi from "@pulumi/pulumi";
import { GraphResource, ResourceGraph, StackSnapshot, stackType } from "./graph";
import { answerCall, newResourceState } from "./mockAnswers";
import { RecordingMonitor } from "./recordingMonitor";
import { decodeWire } from "./wire";

export interface EvaluateOptions {
    project: string;
    stack: string;
    /** Fully qualified config keys (`migration:phase`) to the string values Pulumi passes programs. */
    config: Record<string, string>;
    secretKeys?: readonly string[];
    /** The program: what the project's main module exports (a function is called, as Pulumi does). */
    program: () => unknown;
    preview?: boolean;
    /** Pulumi organization (the DIY backends' default is "organization"). */
    organization?: string;
    /**
     * What stack references read, by fully qualified name (`org/project/stack`). A program
     * that reads its own stack's last outputs sees the entry for itself here.
     */
    stackOutputs?: Readonly<Record<string, Record<string, unknown>>>;
    /**
     * What stacks' latest snapshots hold, by fully qualified name, for the builtin
     * `readStackResourceOutputs`: a program that reads its own state sees its entry here.
     */
    stackSnapshots?: Readonly<Record<string, StackSnapshot>>;
}

export const defaultOrganization = "organization";

export class ProgramError extends Error {
    constructor(
        message: string,
        readonly cause: unknown,
        /** What the program had registered when it failed (the root stack resource included). */
        readonly registered: readonly GraphResource[],
    ) {
        super(message);
        this.name = "ProgramError";
    }
}

let running = false;

export async function evaluate(options: EvaluateOptions): Promise<ResourceGraph> {
    if (running) throw new Error("evaluate: another program is running in this process; the Pulumi runtime is global");
    running = true;
    try {
        return await evaluateOnce(options);
    } finally {
        running = false;
    }
}

async function evaluateOnce(options: EvaluateOptions): Promise<ResourceGraph> {
    const stackOutputs = options.stackOutputs ?? {};
    const stackSnapshots = options.stackSnapshots ?? {};
    const monitor = new RecordingMonitor({ call: (args) => answerCall(args, stackSnapshots), newResource: (args) => newResourceState(args, stackOutputs) });
    await pulumi.runtime.setMocks(
        monitor.mocks,
        options.project,
        options.stack,
        options.preview ?? false,
        options.organization ?? defaultOrganization,
    );
    // setMocks installs a plain MockMonitor; the recording one takes its place.
    runtimeState().getStore().settings.monitor = monitor;
    pulumi.runtime.setAllConfig(options.config, [...(options.secretKeys ?? [])]);

    // A program error is caught inside the stack's init and rethrown after the runtime has
    // settled: thrown through the root resource, it would leave rejected promises behind.
    let programError: { error: unknown } | undefined;
    let outputs: Record<string, unknown> | undefined;
    try {
        outputs = (await pulumi.runtime.runInPulumiStack(async () => {
            try {
                const exported = options.program();
                return typeof exported === "function" ? await exported() : await exported;
            } catch (error) {
                programError = { error };
                return {};
            }
        })) as Record<string, unknown>;
        await runtimeSettings().waitForRPCs();
    } catch (error) {
        programError ??= { error };
    }
    if (programError) {
        const { error } = programError;
        const message = error instanceof Error ? error.message : String(error);
        throw new ProgramError(`the program failed for stack "${options.stack}": ${message}`, error, monitor.registrations);
    }

    return {
        project: options.project,
        stack: options.stack,
        resources: monitor.registrations,
        outputs: maskOutputs(monitor, outputs),
    };
}

/** Stack outputs as recorded on the root resource (secrets masked), or as returned. */
function maskOutputs(monitor: RecordingMonitor, returned: Record<string, unknown> | undefined): Record<string, unknown> {
    const root = monitor.registrations.find((r) => r.type === stackType);
    if (root && Object.keys(root.outputs).length > 0) return root.outputs;
    return (decodeWire(returned ?? {}) as Record<string, unknown>) ?? {};
}

// Internal SDK modules, pinned with the SDK version in package-lock.json: the public API
// has no way to install a custom monitor or to wait for outstanding registrations.
function runtimeState(): { getStore(): { settings: { monitor: unknown } } } {
    return require("@pulumi/pulumi/runtime/state");
}
function runtimeSettings(): { waitForRPCs(): Promise<void> } {
    return require("@pulumi/pulumi/runtime/settings");
}
