/**
 * Evaluates a stack of any Pulumi TypeScript/JavaScript project directory: reads its project
 * and stack files, loads its main module fresh, and runs it under the recording monitor.
 */
import * as path from "node:path";
import { evaluate, ProgramError } from "./evaluate";
import { EvaluationJob, EvaluationResult } from "./job";
import { ProjectError, readProject, readStackConfig } from "./project";

/** Forgets the project's own modules so a program with top-level resources runs again. */
function forgetProjectModules(dir: string): void {
    const nodeModules = `${path.sep}node_modules${path.sep}`;
    for (const file of Object.keys(require.cache)) {
        if (file.startsWith(dir + path.sep) && !file.includes(nodeModules)) delete require.cache[file];
    }
}

function loadProgram(main: string): unknown {
    const exported = require(main) as { __esModule?: boolean; default?: unknown };
    return exported && exported.__esModule && "default" in exported ? exported.default : exported;
}

export async function evaluateProject(job: EvaluationJob): Promise<EvaluationResult> {
    try {
        const project = readProject(job.projectDir);
        const { values, secretKeys } = readStackConfig(project, job.stack);
        forgetProjectModules(project.dir);
        const graph = await evaluate({
            project: project.name,
            stack: job.stack,
            config: { ...values, ...job.overrides },
            secretKeys,
            program: () => loadProgram(project.main),
            stackOutputs: job.stackOutputs,
            stackSnapshots: job.stackSnapshots,
        });
        return { id: job.id, ok: true, graph };
    } catch (err) {
        if (err instanceof ProjectError) return { id: job.id, ok: false, error: { kind: "project", message: err.message } };
        if (err instanceof ProgramError) {
            const kind = (err.cause as Error | undefined)?.name === "ConfigError" ? "config" : "program";
            return { id: job.id, ok: false, error: { kind, message: err.message } };
        }
        return { id: job.id, ok: false, error: { kind: "engine", message: err instanceof Error ? err.message : String(err) } };
    }
}
