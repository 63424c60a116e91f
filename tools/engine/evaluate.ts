/**
 * Runs a Pulumi program in-process under the recording monitor and returns its resource
 * graph, as `pulumi preview` would evaluate it: the runtime is in dry-run mode, outputs the
 * engine cannot know are unknown, and `apply` callbacks on unknowns do not run.
 *
 * A failure ends the evaluation at once, named: a resource that cannot be registered (with its
 * URN and the input that failed), a provider function with no answer (its token), or a
 * rejection the program left unhandled. Waiting on would only wait for resources that depend
 * on the failed one and never come.
 *
 * The Pulumi runtime is process-global: evaluations in one process run one at a time, and the
 * engine's CLI runs them in worker processes, retiring a worker after a failed evaluation.
 */
import * as pulumi from "@pulumi/pulumi";
import { GraphResource, ResourceGraph, StackSnapshot, stackType } from "../model/graph";
import { answerCall, newResourceState } from "./mockAnswers";
import { RecordingMonitor } from "./recordingMonitor";
import { describeFailure, ResourceTracker } from "./failures";
import { noUserAnswers, UserAnswers } from "./userAnswers";
import { decodeWire } from "./wire";
import { skipRuntimeTraces } from "./runtimeTraces";
import { defaultOrganization } from "./stackName";

export interface EvaluateOptions {
    project: string;
    stack: string;
    /** Fully qualified config keys (`migration:phase`) to the string values Pulumi passes programs. */
    config: Record<string, string>;
    secretKeys?: readonly string[];
    /**
     * The program: what the project's main module exports (a function is called, as Pulumi
     * does), or a promise of it (an ES module is imported).
     */
    program: () => unknown;
    /** Preview semantics (the default); false evaluates as an update would, unknowns resolved as undefined. */
    preview?: boolean;
    /** Pulumi organization (the DIY backends' default is "organization"). */
    organization?: string;
    /**
     * What stack references read, by fully qualified name (`org/project/stack`). A program
     * that reads its own stack's last outputs sees the entry for itself here.
     */
    stackOutputs?: Readonly<Record<string, Record<string, unknown>>>;
    /** The project's own answers for provider functions and computed outputs. */
    answers?: UserAnswers;
    /**
     * The version of a provider package the program's host would load for resources that name
     * none (the program's installed `@pulumi/<package>`).
     */
    installedVersion?: (pkg: string) => string | undefined;
    /** Called after each registration: how many so far and the last URN. */
    onProgress?: (registered: number, lastUrn: string) => void;
    /**
     * What stacks' latest snapshots hold, by fully qualified name, for the builtin
     * `readStackResourceOutputs`: a program that reads its own state sees its entry here.
     */
    stackSnapshots?: Readonly<Record<string, StackSnapshot>>;
}

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
    skipRuntimeTraces(__dirname);
    const stackOutputs = options.stackOutputs ?? {};
    const stackSnapshots = options.stackSnapshots ?? {};
    const user = options.answers ?? noUserAnswers;
    const config = options.config;
    // The monitor's answers read the providers it has recorded.
    const monitor: RecordingMonitor = new RecordingMonitor(
        {
            call: (args) => answerCall(args, { user, config, stackSnapshots, providerInputs: (ref) => monitor.providerInputs(ref) }),
            newResource: (args) => newResourceState(args, stackOutputs, user),
        },
        { installedVersion: options.installedVersion, onProgress: options.onProgress },
    );
    await pulumi.runtime.setMocks(
        monitor.mocks,
        options.project,
        options.stack,
        options.preview ?? true,
        options.organization ?? defaultOrganization,
    );
    // setMocks installs a plain MockMonitor; the recording one takes its place.
    runtimeState().getStore().settings.monitor = monitor;
    pulumi.runtime.setAllConfig(options.config, [...(options.secretKeys ?? [])]);

    const tracker = new ResourceTracker(monitor);
    // The first failure ends the evaluation; later ones are its echoes.
    let fail!: (error: unknown) => void;
    const failed = new Promise<never>((_, reject) => {
        fail = reject;
    });
    failed.catch(() => undefined);
    monitor.onFailure = (error) => fail(error);
    const onUnhandled = (reason: unknown) => fail(reason);
    process.on("unhandledRejection", onUnhandled);

    // A program error is caught inside the stack's init and rethrown after the runtime has
    // settled: thrown through the root resource, it would leave rejected promises behind.
    let programError: { error: unknown } | undefined;
    let outputs: Record<string, unknown> | undefined;
    try {
        const run = async () => {
            const result = (await pulumi.runtime.runInPulumiStack(async () => {
                tracker.install();
                try {
                    let exported = await options.program();
                    if (typeof exported === "function") exported = await exported();
                    return exported;
                } catch (error) {
                    programError = { error };
                    return {};
                }
            })) as Record<string, unknown>;
            await runtimeSettings().waitForRPCs();
            return result;
        };
        outputs = await Promise.race([run(), failed]);
    } catch (error) {
        programError ??= { error };
    } finally {
        process.off("unhandledRejection", onUnhandled);
    }
    if (programError) {
        const { error } = programError;
        const message = await describeFailure(error, tracker, monitor);
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
