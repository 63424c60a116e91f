/**
 * What keeps an evaluation worker fast: each file's compiled output is kept for the worker's
 * next jobs, and the runtime's per-promise stack traces skip source mapping.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rememberOutputs } from "../../tools/engine/compileMemo";
import { skipSourceMapsForPromiseStacks } from "../../tools/engine/promiseStacks";

describe("the worker's compile memo", () => {
    it("compiles a file once while its text stays the same, and again when it changes", () => {
        const compiled: string[] = [];
        const service = rememberOutputs({
            compile: (code: string, fileName: string, lineOffset = 0) => {
                compiled.push(`${fileName}@${lineOffset}`);
                return `// out ${code}`;
            },
        });
        expect(service.compile("a", "/p/index.ts")).toBe("// out a");
        expect(service.compile("a", "/p/index.ts")).toBe("// out a");
        expect(compiled).toEqual(["/p/index.ts@0"]);
        expect(service.compile("b", "/p/index.ts")).toBe("// out b");
        expect(service.compile("a", "/p/other.ts")).toBe("// out a");
        expect(service.compile("a", "/p/other.ts", 2)).toBe("// out a");
        expect(compiled).toEqual(["/p/index.ts@0", "/p/index.ts@0", "/p/other.ts@0", "/p/other.ts@2"]);
    });
});

describe("stack traces of the runtime's promises", () => {
    const original = Error.prepareStackTrace;
    const leaks = process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    const mapped = (error: Error) => `mapped: ${error.message}`;
    beforeEach(() => {
        Error.prepareStackTrace = mapped;
        delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    });
    afterEach(() => {
        Error.prepareStackTrace = original;
        if (leaks === undefined) delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
        else process.env.PULUMI_DEBUG_PROMISE_LEAKS = leaks;
    });
    // Named as the runtime's own function, whose traces only the leak report reads.
    function debuggablePromise(): string {
        return new Error("promise").stack!;
    }
    const programError = () => new Error("program").stack!;

    it("skip the installed source-map hook; every other trace still goes through it", () => {
        skipSourceMapsForPromiseStacks();
        skipSourceMapsForPromiseStacks();
        expect(debuggablePromise()).toBe("Error: promise\n    at debuggablePromise (set PULUMI_DEBUG_PROMISE_LEAKS to record the trace)");
        expect(programError()).toBe("mapped: program");
    });

    it("are left to the hook when PULUMI_DEBUG_PROMISE_LEAKS asks for the leak report", () => {
        process.env.PULUMI_DEBUG_PROMISE_LEAKS = "1";
        skipSourceMapsForPromiseStacks();
        expect(debuggablePromise()).toBe("mapped: promise");
    });

    it("are formatted as V8 does when no hook was installed", () => {
        delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
        skipSourceMapsForPromiseStacks();
        expect(programError()).toMatch(/^Error: program\n {4}at /);
    });
});
