/**
 * The Pulumi runtime records a stack trace on every promise it makes (`debuggablePromise`
 * reads `new Error().stack` at once), for a leak report it prints only when
 * `PULUMI_DEBUG_PROMISE_LEAKS` is set. Under ts-node (and vitest) every such read runs the
 * source-map hook over each frame, which was about 40% of an evaluation's CPU. Those traces
 * are formatted here as V8 formats them, without source mapping; every other stack trace
 * (program errors, Pulumi's own source positions) goes through the hook that was installed.
 */

const marker = Symbol.for("migration.promiseStacks");

type PrepareStackTrace = (error: Error, callSites: NodeJS.CallSite[]) => unknown;

/** Installs the shortcut once per process; later calls, and a set PULUMI_DEBUG_PROMISE_LEAKS, leave it as is. */
export function skipSourceMapsForPromiseStacks(): void {
    if (process.env.PULUMI_DEBUG_PROMISE_LEAKS) return;
    const current = Error.prepareStackTrace as (PrepareStackTrace & { [marker]?: true }) | undefined;
    if (current?.[marker]) return;
    const wrapped: PrepareStackTrace & { [marker]?: true } = (error, callSites) => {
        if (callSites[0]?.getFunctionName() === "debuggablePromise") return `${headOf(error)}\n    at debuggablePromise (set PULUMI_DEBUG_PROMISE_LEAKS to record the trace)`;
        if (!current) return v8Format(error, callSites);
        return current(error, callSites);
    };
    wrapped[marker] = true;
    Error.prepareStackTrace = wrapped;
}

function headOf(error: Error): string {
    try {
        return String(error);
    } catch {
        return "Error";
    }
}

function v8Format(error: Error, callSites: NodeJS.CallSite[]): string {
    return [headOf(error), ...callSites.map((site) => `    at ${site.toString()}`)].join("\n");
}
