/**
 * A project's own answers for what only a cloud can know, in a file beside its `Pulumi.yaml`:
 *
 *   migration.mocks.json   { "functions": { "<token>": { …result } },
 *                            "resources": { "<type token>": { …outputs } } }
 *   migration.mocks.ts|js  the same object as the module's default export (or module.exports);
 *                          a value may also be a function of the call's inputs
 *                          (`(inputs) => result`) or of the new resource
 *                          (`({ name, type, inputs }) => outputs`).
 *
 * A function's answer replaces the engine's default for that token; a resource type's outputs
 * are laid over the inputs and the engine's own computed outputs. The string "[unknown]" at any
 * depth is a value a preview does not know. The file is checked whole when it is read: every
 * problem is named with its key, before the program runs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ProjectError } from "./project";
import { unknownPlaceholder, unknownValue } from "./wire";

export const userAnswerFiles = ["migration.mocks.json", "migration.mocks.ts", "migration.mocks.js"] as const;

export interface ResourceCall {
    name: string;
    type: string;
    inputs: Record<string, unknown>;
}

export interface UserAnswers {
    /** The project's answers file (read, or where one would go), for messages; undefined outside a project. */
    file?: string;
    functions: Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>>;
    resources: Record<string, (call: ResourceCall) => Record<string, unknown>>;
}

export const noUserAnswers: UserAnswers = { functions: {}, resources: {} };

/** Where a project's answers go (the file it has, else the JSON one), for messages. */
export function userAnswersFile(projectDir: string): string {
    const found = userAnswerFiles.map((f) => path.join(projectDir, f)).find((f) => fs.existsSync(f));
    return found ?? path.join(projectDir, userAnswerFiles[0]);
}

// Provider tokens are `package:module:member` (modules may hold a `/`).
const tokenPattern = /^[A-Za-z][\w-]*:[\w/.-]*:[\w.-]+$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** "[unknown]" anywhere in an answer becomes the SDK's unknown sentinel. */
function withUnknowns(value: unknown): unknown {
    if (value === unknownPlaceholder) return unknownValue;
    if (Array.isArray(value)) return value.map(withUnknowns);
    if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withUnknowns(v)]));
    return value;
}

function answerOf<A>(value: unknown): (arg: A) => Record<string, unknown> {
    if (typeof value === "function") {
        return (arg) => {
            const result = (value as (a: A) => unknown)(arg);
            if (!isPlainObject(result)) throw new Error(`returned ${JSON.stringify(result)}; expected an object of outputs`);
            return withUnknowns(result) as Record<string, unknown>;
        };
    }
    const fixed = withUnknowns(value) as Record<string, unknown>;
    return () => fixed;
}

/** Checks the file's object and turns it into answers; throws one ProjectError naming every problem. */
export function toUserAnswers(file: string, doc: unknown): UserAnswers {
    const problems: string[] = [];
    const answers: UserAnswers = { file, functions: {}, resources: {} };
    if (!isPlainObject(doc)) {
        throw new ProjectError(`${file}: expected an object with "functions" and/or "resources", got ${JSON.stringify(doc)}`);
    }
    for (const key of Object.keys(doc)) {
        if (key !== "functions" && key !== "resources") problems.push(`"${key}": unknown key; expected "functions" or "resources"`);
    }
    for (const group of ["functions", "resources"] as const) {
        const entries = doc[group];
        if (entries === undefined) continue;
        if (!isPlainObject(entries)) {
            problems.push(`"${group}": expected an object of token → answer, got ${JSON.stringify(entries)}`);
            continue;
        }
        for (const [token, value] of Object.entries(entries)) {
            if (!tokenPattern.test(token)) {
                problems.push(`${group}."${token}": not a provider token; expected package:module:name, e.g. gcp:compute/getNetwork:getNetwork`);
            } else if (!isPlainObject(value) && typeof value !== "function") {
                problems.push(`${group}."${token}" = ${JSON.stringify(value)}: expected an object of outputs, or a function returning one`);
            } else if (group === "functions") {
                answers.functions[token] = answerOf<Record<string, unknown>>(value);
            } else {
                answers.resources[token] = answerOf<ResourceCall>(value);
            }
        }
    }
    if (problems.length > 0) throw new ProjectError(`${file} is not a valid answers file:\n  - ${problems.join("\n  - ")}`);
    return answers;
}

/**
 * Reads the project's answers file, if it has one. A TypeScript or JavaScript file is loaded by
 * `load` (require, or import for an ES-module project); two answer files at once are refused.
 */
export async function readUserAnswers(projectDir: string, load: (file: string) => Promise<unknown>): Promise<UserAnswers> {
    const present = userAnswerFiles.map((f) => path.join(projectDir, f)).filter((f) => fs.existsSync(f));
    if (present.length === 0) return { ...noUserAnswers, file: userAnswersFile(projectDir) };
    if (present.length > 1) {
        throw new ProjectError(`${projectDir} has ${present.map((f) => path.basename(f)).join(" and ")}: keep one answers file`);
    }
    const [file] = present;
    let doc: unknown;
    if (file.endsWith(".json")) {
        try {
            doc = JSON.parse(fs.readFileSync(file, "utf8"));
        } catch (err) {
            throw new ProjectError(`${file} is not valid JSON: ${(err as Error).message}`);
        }
    } else {
        let loaded: unknown;
        try {
            loaded = await load(file);
        } catch (err) {
            throw new ProjectError(`${file} failed to load: ${(err as Error).message}`);
        }
        const module = loaded as { default?: unknown } | undefined;
        doc = module && isPlainObject(module) && "default" in module ? module.default : module;
    }
    return toUserAnswers(file, doc);
}
