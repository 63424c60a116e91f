/**
 * Evaluates a stack of any Pulumi TypeScript/JavaScript project directory: reads its project
 * and stack files and its answers file, loads its main module fresh, and runs it under the
 * recording monitor.
 *
 * The program is loaded as the Pulumi Node.js host loads it: `require` for CommonJS, and for
 * an ES-module project (`"type": "module"`, or an .mjs/.mts entry) a dynamic `import` through
 * ts-node's ESM hooks with the options the host gives them (so `.js` specifiers resolve to `.ts`
 * sources and top-level `await` works). ES modules cannot be unloaded: a worker that ran one is
 * retired afterwards.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { evaluate, ProgramError } from "./evaluate";
import { EvaluationJob, EvaluationResult } from "./job";
import { ProjectError, ProjectInfo, readProject, readStackConfig } from "./project";
import { skipRuntimeTraces } from "./runtimeTraces";
import { readUserAnswers } from "./userAnswers";

/** Forgets the project's own modules so a program with top-level resources runs again. */
function forgetProjectModules(dir: string): void {
    const nodeModules = `${path.sep}node_modules${path.sep}`;
    for (const file of Object.keys(require.cache)) {
        if (file.startsWith(dir + path.sep) && !file.includes(nodeModules)) delete require.cache[file];
    }
}

function loadCommonJs(main: string): unknown {
    const exported = require(main) as { __esModule?: boolean; default?: unknown };
    return exported && exported.__esModule && "default" in exported ? exported.default : exported;
}

// `import()` kept out of TypeScript's reach: compiled to CommonJS it would become `require`.
const dynamicImport = new Function("specifier", "return import(specifier)") as (specifier: string) => Promise<Record<string, unknown>>;

let esmHooksFor: string | undefined;

/** Registers the ts-node ESM hooks (tools/engine/esmHooks.js) once per process, with the project's tsconfig. */
function registerEsmHooks(project: ProjectInfo): void {
    if (esmHooksFor !== undefined) {
        if (esmHooksFor !== project.dir) throw new Error(`this process already loads ES modules for ${esmHooksFor}`);
        return;
    }
    const nodeModule = require("node:module") as { register?: (specifier: string, parentURL: string, options: unknown) => void };
    if (!nodeModule.register) {
        throw new ProjectError(`${project.dir} is an ES-module project: loading it needs Node.js 20.6 or later (this is ${process.version})`);
    }
    const paths = [project.dir, __dirname];
    const hooks = path.join(__dirname, "esmHooks.js");
    const tsconfig = path.join(project.dir, "tsconfig.json");
    // The hooks run in a loader thread of their own, which inherits this environment: ts-node
    // settings in it (a user's CommonJS ones) must not reach the project's own.
    delete process.env.TS_NODE_COMPILER_OPTIONS;
    delete process.env.TS_NODE_PROJECT;
    nodeModule.register(hooks, pathToFileURL(__filename).href, {
        data: {
            compiler: require.resolve("typescript", { paths }),
            transpileOnly: true,
            ...(fs.existsSync(tsconfig) ? { project: tsconfig } : { skipProject: true }),
            compilerOptions: { target: "ES2022", module: "nodenext", moduleResolution: "nodenext" },
        },
    });
    esmHooksFor = project.dir;
}

/** The entry file of an ES-module program, as the host finds it in a folder. */
function esmEntry(main: string): string {
    if (!fs.existsSync(main) || !fs.statSync(main).isDirectory()) return main;
    const pkg = path.join(main, "package.json");
    if (fs.existsSync(pkg)) {
        const doc = JSON.parse(fs.readFileSync(pkg, "utf8")) as { main?: unknown; exports?: unknown };
        const entry = typeof doc.exports === "string" ? doc.exports : typeof doc.main === "string" ? doc.main : undefined;
        if (entry) return path.resolve(main, entry);
    }
    for (const index of ["index.js", "index.mjs", "index.ts", "index.mts"]) {
        if (fs.existsSync(path.join(main, index))) return path.join(main, index);
    }
    throw new ProjectError(`no entry point in ${main}: expected index.js, index.mjs, index.ts or index.mts`);
}

async function importEsm(project: ProjectInfo, file: string): Promise<Record<string, unknown>> {
    registerEsmHooks(project);
    return dynamicImport(pathToFileURL(file).href);
}

async function loadEsm(project: ProjectInfo, file: string): Promise<unknown> {
    const exported = await importEsm(project, file);
    // As the host: the default export when there is one (and then only it), else the named exports.
    if (Object.getOwnPropertyDescriptor(exported, "default") !== undefined) {
        if (Object.keys(exported).length !== 1) throw new Error("expected the entry module to have either a default export or named exports, not both");
        return exported.default;
    }
    return exported;
}

/** The version of `@pulumi/<pkg>` the project has installed, if any. */
function installedVersionIn(dir: string): (pkg: string) => string | undefined {
    const cache = new Map<string, string | undefined>();
    return (pkg) => {
        if (!cache.has(pkg)) {
            let version: string | undefined;
            try {
                const file = require.resolve(`@pulumi/${pkg}/package.json`, { paths: [dir] });
                version = (JSON.parse(fs.readFileSync(file, "utf8")) as { version?: string }).version?.replace(/^v/, "");
            } catch {
                version = undefined;
            }
            cache.set(pkg, version);
        }
        return cache.get(pkg);
    };
}

export interface ProjectRunHooks {
    onProgress?: (registered: number, lastUrn: string) => void;
}

export async function evaluateProject(job: EvaluationJob, hooks: ProjectRunHooks = {}): Promise<EvaluationResult> {
    let esm = false;
    try {
        const project = readProject(job.projectDir);
        esm = project.moduleKind === "esm";
        const { values, secretKeys } = readStackConfig(project, job.stack);
        forgetProjectModules(project.dir);
        skipRuntimeTraces(project.dir);
        const answers = await readUserAnswers(project.dir, async (file) => (esm ? importEsm(project, file) : require(file)));
        const graph = await evaluate({
            project: project.name,
            stack: job.stack,
            config: { ...values, ...job.overrides },
            secretKeys,
            program: () => (esm ? loadEsm(project, esmEntry(project.main)) : loadCommonJs(project.main)),
            stackOutputs: job.stackOutputs,
            answers,
            installedVersion: installedVersionIn(project.dir),
            onProgress: hooks.onProgress,
            stackSnapshots: job.stackSnapshots,
        });
        return { id: job.id, ok: true, graph, ...(esm ? { retire: true } : {}) };
    } catch (err) {
        const retire = { retire: true };
        if (err instanceof ProjectError) return { id: job.id, ok: false, error: { kind: "project", message: err.message }, ...retire };
        if (err instanceof ProgramError) {
            const kind = (err.cause as Error | undefined)?.name === "ConfigError" ? "config" : "program";
            return { id: job.id, ok: false, error: { kind, message: err.message }, ...retire };
        }
        return { id: job.id, ok: false, error: { kind: "engine", message: err instanceof Error ? err.message : String(err) }, ...retire };
    }
}
