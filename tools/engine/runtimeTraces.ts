/**
 * Two stack traces the Pulumi runtime records that nothing offline reads:
 *
 * - **One per promise.** `debuggablePromise` (runtime/debuggable.js) reads `new Error().stack`
 *   on every promise it makes, for a leak report printed only when `PULUMI_DEBUG_PROMISE_LEAKS`
 *   is set. A resource makes dozens of these promises; under ts-node's or vitest's source-map
 *   hook each trace cost about 100 µs, which was 40% of an evaluation's CPU.
 * - **One per resource, whole.** `Resource.callsites` (resource.js) lifts the stack-trace limit,
 *   reads and parses every frame (source-mapped), and the runtime sends the frames with each
 *   registration as its source position, which the Pulumi engine shows in its displays. The
 *   recording monitor keeps no source position, so this was about a fifth of an evaluation.
 *
 * The engine wraps both, in each copy of `@pulumi/pulumi` an evaluation loads: a promise's trace
 * is empty (no frame is captured during the call) and a resource has no source position.
 * Everything else, the leak bookkeeping included, is unchanged. With `PULUMI_DEBUG_PROMISE_LEAKS`
 * set, the promise traces are recorded as before.
 */
import * as path from "node:path";

const marker = Symbol.for("migration.runtimeTraces");

type Marked<F> = F & { [marker]?: true };
type DebuggablePromise = Marked<(promise: Promise<unknown>, context: unknown) => Promise<unknown>>;
type Callsites = Marked<() => unknown[]>;

/** The modules of a copy of `@pulumi/pulumi` (its package folder) that hold the two functions. */
export function runtimeTraceModules(pulumiPackageDir: string): { debuggable: string; resource: string } {
    return { debuggable: path.join(pulumiPackageDir, "runtime", "debuggable.js"), resource: path.join(pulumiPackageDir, "resource.js") };
}

/** What `skipRuntimeTraces` wrapped: a copy of the SDK laid out otherwise is left alone, and evaluates as it is, only slower. */
export interface SkippedTraces {
    promises: boolean;
    sourcePositions: boolean;
}

/** Wraps both functions in the copy of `@pulumi/pulumi` that `from` (a folder) resolves. */
export function skipRuntimeTraces(from: string): SkippedTraces {
    let modules: ReturnType<typeof runtimeTraceModules>;
    try {
        modules = runtimeTraceModules(path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [from] })));
    } catch {
        return { promises: false, sourcePositions: false };
    }
    return { promises: skipPromiseTraces(modules.debuggable), sourcePositions: skipSourcePositions(modules.resource) };
}

function load<T>(file: string): T | undefined {
    try {
        return require(file) as T;
    } catch {
        return undefined;
    }
}

function skipPromiseTraces(file: string): boolean {
    const debuggable = load<{ debuggablePromise?: DebuggablePromise }>(file);
    const original = debuggable?.debuggablePromise;
    if (!debuggable || typeof original !== "function") return false;
    if (original[marker]) return true;
    const wrapped: DebuggablePromise = (promise, context) => {
        if (process.env.PULUMI_DEBUG_PROMISE_LEAKS) return original(promise, context);
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        try {
            return original(promise, context);
        } finally {
            Error.stackTraceLimit = limit;
        }
    };
    wrapped[marker] = true;
    debuggable.debuggablePromise = wrapped;
    return true;
}

function skipSourcePositions(file: string): boolean {
    const resource = load<{ Resource?: { callsites?: Callsites } }>(file)?.Resource;
    if (!resource || typeof resource.callsites !== "function") return false;
    if (resource.callsites[marker]) return true;
    const none: Callsites = () => [];
    none[marker] = true;
    resource.callsites = none;
    return true;
}
