/**
 * Runs this project's program for one of its stacks, offline, with config overrides, and
 * returns the graph. Tests of components, phases and policies share it.
 */
import * as path from "node:path";
import { evaluate } from "../tools/engine/evaluate";
import { qualifiedStackName } from "../tools/engine/stackName";
import { evaluationCache } from "../tools/engine/evaluationCache";
import { GraphResource, ResourceGraph, snapshotOf } from "../tools/model/graph";
import { readProject, readStackConfig } from "../tools/engine/project";
import program from "../stacks";
import { ConfigError, ConfigProblem, parseStackConfig } from "../domain/stackConfig";

export const projectDir = path.resolve(__dirname, "..");

export async function runStack(
    stack: string,
    overrides: Record<string, unknown> = {},
    removals: readonly string[] = [],
    /** The stack as an earlier update left it: its outputs and the snapshot the program reads. */
    previous?: ResourceGraph,
): Promise<ResourceGraph> {
    const project = readProject(projectDir);
    const { values, secretKeys } = readStackConfig(project, stack);
    for (const key of removals) delete values[key];
    for (const [key, value] of Object.entries(overrides)) {
        values[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    const stackOutputs = previous ? { [qualifiedStackName(project.name, stack)]: previous.outputs } : {};
    const stackSnapshots = previous ? { [qualifiedStackName(project.name, stack)]: snapshotOf(previous) } : {};
    // The run's evaluation cache (test/globalSetup.ts) keys this in-process evaluation by the
    // whole config it runs with; a failure is never kept, so a test of one sees it every time.
    const cache = evaluationCache();
    const job = { id: "in-process", projectDir, stack, overrides: { ...values, "test:secretKeys": JSON.stringify([...secretKeys].sort()) }, stackOutputs, stackSnapshots };
    const cached = cache?.get(job);
    if (cached) return cached;
    const graph = await evaluate({ project: project.name, stack, config: values, secretKeys, program: () => program, stackOutputs, stackSnapshots });
    cache?.put(job, graph);
    return graph;
}

export function byType(graph: ResourceGraph, type: string): GraphResource[] {
    return graph.resources.filter((r) => r.type === type);
}

export function byName(graph: ResourceGraph, type: string, name: string): GraphResource {
    const found = graph.resources.find((r) => r.type === type && r.name === name);
    if (!found) throw new Error(`no ${type} named ${name} in the graph`);
    return found;
}

/** Runs a small program (a few components) offline, for component tests. */
export function runProgram(program: () => unknown, stack = "test"): Promise<ResourceGraph> {
    return evaluate({ project: "components", stack, config: {}, program: () => program });
}

/** Validates a stack file's config with overrides (values as in YAML) and removals, without running the program. */
export function parseStack(
    stack: string,
    overrides: Record<string, unknown> = {},
    removals: readonly string[] = [],
    extraSecretKeys: readonly string[] = [],
) {
    const project = readProject(projectDir);
    const { values, secretKeys } = readStackConfig(project, stack);
    for (const [key, value] of Object.entries(overrides)) values[key] = typeof value === "string" ? value : JSON.stringify(value);
    for (const key of removals) delete values[key];
    return parseStackConfig({ values, secretKeys: new Set([...secretKeys, ...extraSecretKeys]), stack, project: project.name });
}

/** The problems a config error lists; fails the test when `fn` does not throw one. */
export function configProblems(fn: () => unknown): ConfigProblem[] {
    try {
        fn();
    } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        return err.problems;
    }
    throw new Error("expected a ConfigError");
}
