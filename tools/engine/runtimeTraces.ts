/**
 * The Pulumi runtime records a stack trace on every promise it makes: `debuggablePromise`
 * (runtime/debuggable.js) reads `new Error().stack` at once, for a leak report that prints
 * the traces only when `PULUMI_DEBUG_PROMISE_LEAKS` is set. A resource makes dozens of these
 * promises; under ts-node's or vitest's source-map hook each trace cost about 100 µs, which
 * was 40% of an evaluation's CPU, and still about 15% unformatted.
 *
 * The engine wraps that function, in each copy of `@pulumi/pulumi` an evaluation loads, so
 * that the trace it records is empty (no frame is captured during the call). Everything else
 * it does, the leak bookkeeping included, is unchanged. With `PULUMI_DEBUG_PROMISE_LEAKS` set
 * the traces are recorded as before.
 */
import * as path from "node:path";

const marker = Symbol.for("migration.promiseTraces");

type DebuggablePromise = ((promise: Promise<unknown>, context: unknown) => Promise<unknown>) & { [marker]?: true };

/** Where the runtime's function lives in a copy of `@pulumi/pulumi` (its package folder). */
export function debuggableModule(pulumiPackageDir: string): string {
    return path.join(pulumiPackageDir, "runtime", "debuggable.js");
}

/**
 * Wraps `debuggablePromise` in the copy of `@pulumi/pulumi` that `from` resolves (a folder);
 * returns whether the copy is wrapped now. A copy without the function (another layout of the
 * SDK) is left alone and evaluates as it is, only slower.
 */
export function skipPromiseTraces(from: string): boolean {
    let debuggable: { debuggablePromise?: DebuggablePromise };
    try {
        const pkg = require.resolve("@pulumi/pulumi/package.json", { paths: [from] });
        debuggable = require(debuggableModule(path.dirname(pkg))) as typeof debuggable;
    } catch {
        return false;
    }
    const original = debuggable.debuggablePromise;
    if (typeof original !== "function") return false;
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
