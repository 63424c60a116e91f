/**
 * What keeps an evaluation worker fast: each file's compiled output is kept for the worker's
 * next jobs, and the runtime records no stack trace per promise.
 */
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { rememberOutputs } from "../../tools/engine/compileMemo";
import { debuggableModule, skipPromiseTraces } from "../../tools/engine/promiseStacks";
import { projectDir } from "../harness";

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

describe("the runtime's per-promise traces", () => {
    const leaks = process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    afterEach(() => {
        if (leaks === undefined) delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
        else process.env.PULUMI_DEBUG_PROMISE_LEAKS = leaks;
    });
    const debuggable = () => require(debuggableModule(path.dirname(require.resolve("@pulumi/pulumi/package.json")))) as {
        debuggablePromise: (p: Promise<unknown>, ctx: unknown) => Promise<unknown>;
    };
    const traceOf = (promise: Promise<unknown>) => (promise as unknown as { _debugStackTrace: string })._debugStackTrace;

    it("are not recorded for the installed SDK, and its promises still settle as before", async () => {
        delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
        // The installed @pulumi/pulumi has the function where the engine looks for it.
        expect(skipPromiseTraces(projectDir)).toBe(true);
        expect(skipPromiseTraces(projectDir)).toBe(true);
        const made = Promise.resolve(42);
        const promise = debuggable().debuggablePromise(made, "test");
        expect(traceOf(made)).not.toMatch(/\n\s+at /);
        await expect(promise).resolves.toBe(42);
        await expect(debuggable().debuggablePromise(Promise.reject(new Error("no")), "test")).rejects.toThrow("no");
    });

    it("are recorded while PULUMI_DEBUG_PROMISE_LEAKS asks for the leak report", async () => {
        skipPromiseTraces(projectDir);
        process.env.PULUMI_DEBUG_PROMISE_LEAKS = "1";
        const made = Promise.resolve(1);
        await debuggable().debuggablePromise(made, "test");
        expect(traceOf(made)).toMatch(/\n\s+at /);
    });

    it("are left alone where no @pulumi/pulumi can be found", () => {
        expect(skipPromiseTraces(os.tmpdir())).toBe(false);
    });
});
