/**
 * What keeps the CLI and the evaluation workers fast: each file's compiled output is kept for
 * the next job and the next process, the runtime records no stack trace per promise nor per
 * resource, and what the SDK loads only to serialize a function loads when a program does.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { compileAhead, rememberOutputs } from "../../tools/engine/compileMemo";
import { deferModules } from "../../tools/engine/deferredModules";
import { runtimeTraceModules, skipRuntimeTraces } from "../../tools/engine/runtimeTraces";
import { projectDir } from "../harness";

describe("the compile memo", () => {
    /** A stand-in for ts-node's service that records what it compiles. */
    function fakeService(version = "5.9.3") {
        const compiled: string[] = [];
        const service = {
            ts: { version },
            config: { options: { module: 1 } },
            compile: (code: string, fileName: string, lineOffset = 0) => {
                compiled.push(`${fileName}@${lineOffset}`);
                return `// out ${code}`;
            },
        };
        return { service, compiled };
    }

    it("compiles a file once while its text stays the same, and again when it changes", () => {
        const { service, compiled } = fakeService();
        rememberOutputs(service, { cacheDir: null, sourceMaps: null });
        expect(service.compile("a", "/p/index.ts")).toBe("// out a");
        expect(service.compile("a", "/p/index.ts")).toBe("// out a");
        expect(compiled).toEqual(["/p/index.ts@0"]);
        expect(service.compile("b", "/p/index.ts")).toBe("// out b");
        expect(service.compile("a", "/p/other.ts")).toBe("// out a");
        expect(service.compile("a", "/p/other.ts", 2)).toBe("// out a");
        expect(compiled).toEqual(["/p/index.ts@0", "/p/index.ts@0", "/p/other.ts@0", "/p/other.ts@2"]);
    });

    it("hands a later process what an earlier one compiled, unless the compiler or the text differs", () => {
        const cacheDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "compile-memo-")), "cache");
        const first = fakeService();
        rememberOutputs(first.service, { cacheDir, sourceMaps: null });
        first.service.compile("a", "/p/index.ts");
        const second = fakeService();
        rememberOutputs(second.service, { cacheDir, sourceMaps: null });
        expect(second.service.compile("a", "/p/index.ts")).toBe("// out a");
        expect(second.compiled).toEqual([]);
        second.service.compile("changed", "/p/index.ts");
        expect(second.compiled).toEqual(["/p/index.ts@0"]);
        const otherCompiler = fakeService("6.0.0");
        rememberOutputs(otherCompiler.service, { cacheDir, sourceMaps: null });
        otherCompiler.service.compile("a", "/p/index.ts");
        expect(otherCompiler.compiled).toEqual(["/p/index.ts@0"]);
        // Whole entries only: no temporary file is left behind.
        const entries = fs.readdirSync(cacheDir, { recursive: true }).map(String).filter((f) => f.endsWith(".js") || /\.js\.\d+\./.test(f));
        expect(entries.filter((f) => !f.endsWith(".js"))).toEqual([]);
        expect(entries).toHaveLength(3);
    });

    it("compiles in memory alone when the cache folder cannot be written", () => {
        const blocked = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "compile-memo-")), "file");
        fs.writeFileSync(blocked, "not a folder");
        const { service, compiled } = fakeService();
        rememberOutputs(service, { cacheDir: blocked, sourceMaps: null });
        expect(service.compile("a", "/p/index.ts")).toBe("// out a");
        expect(service.compile("a", "/p/index.ts")).toBe("// out a");
        expect(compiled).toEqual(["/p/index.ts@0"]);
    });

    it("compiles ahead every file that compiles, and leaves one that does not to the process that loads it", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compile-ahead-"));
        const good = path.join(dir, "good.ts");
        const broken = path.join(dir, "broken.ts");
        fs.writeFileSync(good, "export const answer: number = 42;\n");
        fs.writeFileSync(broken, "export const = ;\n");
        // The real compiler and cache folder, as the test run's global setup uses them.
        expect(compileAhead([broken, good])).toBe(1);
        expect(compileAhead([broken, good])).toBe(0);
    });

    it("tells the source-map support each kept output, so traces map to the source", () => {
        let retrieve: ((file: string) => string | undefined) | undefined;
        const { service } = fakeService();
        rememberOutputs(service, { cacheDir: null, sourceMaps: { install: (options) => (retrieve = options.retrieveFile) } });
        expect(retrieve!("/p/index.ts")).toBeUndefined();
        service.compile("a", "/p/index.ts");
        expect(retrieve!("/p/index.ts")).toBe("// out a");
    });
});

describe("the runtime's stack traces", () => {
    const leaks = process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    afterEach(() => {
        if (leaks === undefined) delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
        else process.env.PULUMI_DEBUG_PROMISE_LEAKS = leaks;
    });
    const modules = runtimeTraceModules(path.dirname(require.resolve("@pulumi/pulumi/package.json")));
    const debuggable = () => require(modules.debuggable) as { debuggablePromise: (p: Promise<unknown>, ctx: unknown) => Promise<unknown> };
    const resource = () => require(modules.resource) as { Resource: { callsites(): unknown[]; stackTrace(skip: number): unknown[] } };
    const traceOf = (promise: Promise<unknown>) => (promise as unknown as { _debugStackTrace: string })._debugStackTrace;

    it("are both skipped in the installed SDK, where the engine looks for them, once however often asked", () => {
        expect(skipRuntimeTraces(projectDir)).toEqual({ promises: true, sourcePositions: true });
        const wrapped = debuggable().debuggablePromise;
        expect(skipRuntimeTraces(projectDir)).toEqual({ promises: true, sourcePositions: true });
        expect(debuggable().debuggablePromise).toBe(wrapped);
    });

    it("per promise: not recorded, and the runtime's promises still settle as before", async () => {
        delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
        skipRuntimeTraces(projectDir);
        const made = Promise.resolve(42);
        const promise = debuggable().debuggablePromise(made, "test");
        expect(traceOf(made)).not.toMatch(/\n\s+at /);
        await expect(promise).resolves.toBe(42);
        await expect(debuggable().debuggablePromise(Promise.reject(new Error("no")), "test")).rejects.toThrow("no");
    });

    it("per promise: recorded while PULUMI_DEBUG_PROMISE_LEAKS asks for the leak report", async () => {
        skipRuntimeTraces(projectDir);
        process.env.PULUMI_DEBUG_PROMISE_LEAKS = "1";
        const made = Promise.resolve(1);
        await debuggable().debuggablePromise(made, "test");
        expect(traceOf(made)).toMatch(/\n\s+at /);
    });

    it("per resource: no frame read, so a registration carries no source position", () => {
        skipRuntimeTraces(projectDir);
        const { Resource } = resource();
        expect(Resource.callsites()).toEqual([]);
        expect(Resource.stackTrace(0)).toEqual([]);
        // The SDK still takes a resource's source position from this function: were it read
        // elsewhere, the skip would do nothing.
        expect(String(Resource.stackTrace)).toContain("Resource.callsites()");
    });

    it("are left alone where no @pulumi/pulumi can be found", () => {
        expect(skipRuntimeTraces(os.tmpdir())).toEqual({ promises: false, sourcePositions: false });
    });
});

describe("what the SDK loads only to serialize a function", () => {
    /** A copy of the SDK's closure module and of Arborist, in a folder of their own, that count the loads. */
    function fakeTree(): { codePaths: string; loads: () => number } {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "deferred-"));
        const closure = path.join(root, "node_modules/@pulumi/pulumi/runtime/closure");
        const arborist = path.join(root, "node_modules/@npmcli/arborist");
        fs.mkdirSync(closure, { recursive: true });
        fs.mkdirSync(arborist, { recursive: true });
        const counter = `deferredLoads${process.pid}${path.basename(root)}`;
        fs.writeFileSync(path.join(arborist, "package.json"), JSON.stringify({ name: "@npmcli/arborist", main: "index.js" }));
        fs.writeFileSync(
            path.join(arborist, "index.js"),
            `globalThis[${JSON.stringify(counter)}] = (globalThis[${JSON.stringify(counter)}] ?? 0) + 1;\n` +
                "class Arborist { constructor(options) { this.options = options; } }\nmodule.exports = Arborist;\nmodule.exports.Arborist = Arborist;\n",
        );
        // As TypeScript compiles the SDK's imports of it.
        fs.writeFileSync(
            path.join(closure, "codePaths.js"),
            "const star = (m) => (m && m.__esModule ? m : { ...m, default: m });\n" +
                "const dflt = (m) => (m && m.__esModule ? m : { default: m });\n" +
                'const arborist = star(require("@npmcli/arborist"));\nconst arboristDefault = dflt(require("@npmcli/arborist"));\n' +
                "exports.viaNamed = (path) => new arborist.Arborist({ path });\nexports.viaDefault = () => arboristDefault.default;\n",
        );
        return { codePaths: path.join(closure, "codePaths.js"), loads: () => (globalThis as Record<string, unknown>)[counter] as number | undefined ?? 0 };
    }

    it("is loaded at its first use, and is then the module itself", () => {
        expect(deferModules()).toEqual(["@npmcli/arborist", "typescript"]);
        const { codePaths, loads } = fakeTree();
        const closure = require(codePaths) as { viaNamed(path: string): { options: unknown }; viaDefault(): unknown };
        expect(loads()).toBe(0);
        const made = closure.viaNamed("/work");
        expect(loads()).toBe(1);
        expect(made.options).toEqual({ path: "/work" });
        expect(closure.viaDefault()).toBe(made.constructor);
        expect(loads()).toBe(1);
    });

    it("is still what the installed SDK imports, from the files the deferral names", () => {
        const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
        expect(fs.readFileSync(path.join(sdk, "runtime/closure/codePaths.js"), "utf8")).toMatch(/require\("@npmcli\/arborist"\)/);
        expect(fs.readFileSync(path.join(sdk, "typescript-shim.js"), "utf8")).toMatch(/require\("typescript"\)/);
    });

    it("leaves a worker without TypeScript while it runs compiled files, and compiles a new one", () => {
        // A new process, as a worker starts: this one has TypeScript loaded already.
        const fresh = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lazy-ts-")), "fresh.ts");
        fs.writeFileSync(fresh, "const line: number = 2;\nexport const made: string = `fresh ${line}`;\n");
        const loaded = (name: string) => `Object.keys(require.cache).some((f) => f.includes(${JSON.stringify(name)}))`;
        const script = [
            // Compiled ahead by the global setup, as the program is for a worker.
            `const job = require(${JSON.stringify(path.join(projectDir, "tools/engine/stackName.js"))});`,
            'require("@pulumi/pulumi");',
            `const before = { typescript: ${loaded("typescript/lib/typescript.js")}, tsNode: ${loaded("ts-node/dist/index.js")}, job: typeof job.qualifiedStackName };`,
            `const { made } = require(${JSON.stringify(fresh)});`,
            `console.log(JSON.stringify({ before, made, after: { tsNode: ${loaded("ts-node/dist/index.js")} } }));`,
        ].join("\n");
        const run = spawnSync(process.execPath, ["-r", path.join(projectDir, "tools/engine/register.js"), "-e", script], { cwd: projectDir, encoding: "utf8" });
        expect(run.stderr).toBe("");
        expect(JSON.parse(run.stdout)).toEqual({
            before: { typescript: false, tsNode: false, job: "function" },
            made: "fresh 2",
            after: { tsNode: true },
        });
    });
});
