/**
 * Names what made an evaluation fail. When an input of a resource rejects (a provider
 * function with no answer, an `apply` callback that throws), the SDK never sends the resource
 * to the monitor and reports only `error serializing property "<key>"` as an unhandled
 * rejection. The tracker sees every resource as the program constructs it (a stack
 * transformation, which changes nothing), so the failure can be traced back to the resource
 * that was never registered, its URN, and the input path whose value rejected.
 */
import * as pulumi from "@pulumi/pulumi";
import { stackType } from "../model/graph";
import { RecordingMonitor, RegistrationFailure } from "./recordingMonitor";

interface Constructed {
    type: string;
    name: string;
    props: Record<string, unknown>;
    parent?: pulumi.Resource;
}

export class ResourceTracker {
    private readonly constructed = new Map<pulumi.Resource, Constructed>();

    constructor(private readonly monitor: RecordingMonitor) {}

    /** Starts tracking; called inside the root stack's initialisation. */
    install(): void {
        pulumi.runtime.registerStackTransformation((args) => {
            this.constructed.set(args.resource, { type: args.type, name: args.name, props: args.props, parent: args.opts.parent });
            return undefined;
        });
    }

    /** The URN the engine would give a constructed resource (its parents' types qualify its own). */
    urnOf(entry: Constructed): string {
        return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${this.qualifiedType(entry)}::${entry.name}`;
    }

    private qualifiedType(entry: Constructed): string {
        const parent = entry.parent ? this.constructed.get(entry.parent) : undefined;
        if (!parent || parent.type === stackType) return entry.type;
        return `${this.qualifiedType(parent)}$${entry.type}`;
    }

    /** Resources the program constructed that never reached the monitor. */
    unregistered(): Constructed[] {
        const registered = new Set(this.monitor.registrations.map((r) => r.urn));
        return [...this.constructed.values()].filter((entry) => entry.type !== stackType && !registered.has(this.urnOf(entry)));
    }
}

const serializingPrefix = /^error serializing property "([^"]+)": /;

/** Whether `value` settles as a rejection with exactly `error` (unsettled within a moment: no). */
async function rejectsWith(value: unknown, error: unknown): Promise<boolean> {
    const promise = pulumi.Output.isInstance(value)
        ? (value as unknown as { promise(): Promise<unknown> }).promise()
        : value instanceof Promise
          ? value
          : undefined;
    if (!promise) return false;
    const settled = promise.then(
        () => false,
        (reason) => reason === error,
    );
    const pending = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 50).unref());
    return Promise.race([settled, pending]);
}

/** The path below `key` whose value rejected with `error`, e.g. `nodeConfig.labels.team`. */
async function rejectedPath(value: unknown, error: unknown, path: string): Promise<string | undefined> {
    if (await rejectsWith(value, error)) return path;
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
            const found = await rejectedPath(value[i], error, `${path}[${i}]`);
            if (found) return found;
        }
    } else if (value !== null && typeof value === "object" && !pulumi.Resource.isInstance(value)) {
        for (const [k, v] of Object.entries(value)) {
            const found = await rejectedPath(v, error, `${path}.${k}`);
            if (found) return found;
        }
    }
    return undefined;
}

function messageOf(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

/** One line saying what failed and where, for the ProgramError the evaluation ends with. */
export async function describeFailure(error: unknown, tracker: ResourceTracker, monitor: RecordingMonitor): Promise<string> {
    if (error instanceof RegistrationFailure) return error.message;
    const message = messageOf(error);
    if (!serializingPrefix.test(message)) return message;
    // The SDK prefixes the same error once per resource that reads it: the innermost cause is the rest.
    const keys: string[] = [];
    let cause = message;
    for (let m = serializingPrefix.exec(cause); m; m = serializingPrefix.exec(cause)) {
        keys.push(m[1]);
        cause = cause.slice(m[0].length);
    }
    for (const entry of tracker.unregistered()) {
        for (const key of keys.filter((k) => k in entry.props)) {
            const where = await rejectedPath(entry.props[key], error, key);
            if (where) return `resource ${entry.type} "${entry.name}" (${tracker.urnOf(entry)}) was not registered: its input "${where}" failed: ${cause}`;
        }
    }
    const failedCalls = monitor.failedCalls.length > 0 ? ` (failed provider functions: ${monitor.failedCalls.join(", ")})` : "";
    return `an input "${keys[keys.length - 1]}" of a resource failed: ${cause}${failedCalls}`;
}
