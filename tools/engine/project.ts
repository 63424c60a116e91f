/**
 * Reads a Pulumi project directory the way the CLI does: `Pulumi.yaml` (name, runtime, main,
 * config defaults, stackConfigDir) and `Pulumi.<stack>.yaml` (the stack's config). Values reach
 * the program as strings (structured values as JSON); `secure:` values cannot be decrypted
 * offline and become a placeholder, and the key holding one, at any depth, is marked secret
 * as the CLI marks it. Only Node.js projects can be run; anything else is refused here, before
 * any work.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { secretPlaceholder } from "../model/graph";
import { parseStackName } from "./stackName";

export interface ProjectInfo {
    dir: string;
    name: string;
    /** The program's entry file or directory, resolved against `dir`. */
    main: string;
    /** How the Node.js host loads the program: `esm` for `"type": "module"` packages and .mjs/.mts entries. */
    moduleKind: "commonjs" | "esm";
    /** Where the stack files are (`stackConfigDir`, default the project directory). */
    stackConfigDir: string;
}

export interface StackConfig {
    values: Record<string, string>;
    secretKeys: string[];
}

export class ProjectError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ProjectError";
    }
}

function readYaml(file: string): unknown {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new ProjectError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    try {
        return parse(text);
    } catch (err) {
        throw new ProjectError(`${file} is not valid YAML: ${(err as Error).message}`);
    }
}

/** The runtime a `runtime:` entry names (a string, or `{ name, options }`). */
function runtimeName(runtime: unknown): unknown {
    return runtime !== null && typeof runtime === "object" && !Array.isArray(runtime) ? (runtime as { name?: unknown }).name : runtime;
}

/** The `package.json` that governs a file: the nearest one in its folder or above. */
function packageJsonOf(start: string): Record<string, unknown> | undefined {
    for (let dir = start; ; dir = path.dirname(dir)) {
        const file = path.join(dir, "package.json");
        if (fs.existsSync(file)) {
            try {
                return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
            } catch (err) {
                throw new ProjectError(`${file} is not valid JSON: ${(err as Error).message}`);
            }
        }
        if (path.dirname(dir) === dir) return undefined;
    }
}

function moduleKindOf(main: string): ProjectInfo["moduleKind"] {
    if (/\.m[jt]s$/.test(main)) return "esm";
    if (/\.c[jt]s$/.test(main)) return "commonjs";
    const isDir = fs.existsSync(main) && fs.statSync(main).isDirectory();
    return packageJsonOf(isDir ? main : path.dirname(main))?.type === "module" ? "esm" : "commonjs";
}

export function readProject(dir: string): ProjectInfo {
    const file = path.join(dir, "Pulumi.yaml");
    if (!fs.existsSync(file)) throw new ProjectError(`no Pulumi.yaml in ${path.resolve(dir)}: not a Pulumi project directory`);
    const doc = readYaml(file) as { name?: unknown; main?: unknown; runtime?: unknown; stackConfigDir?: unknown } | null;
    if (!doc || typeof doc.name !== "string" || doc.name === "") {
        throw new ProjectError(`${file}: "name" must be a non-empty string`);
    }
    const runtime = runtimeName(doc.runtime);
    if (runtime !== "nodejs") {
        throw new ProjectError(
            `${file}: runtime ${runtime === undefined ? "is not set" : `= ${JSON.stringify(runtime)}`}; the offline engine runs Node.js programs ` +
                "(TypeScript or JavaScript, runtime: nodejs) only, in-process under the Pulumi Node.js SDK",
        );
    }
    const main = path.resolve(dir, typeof doc.main === "string" ? doc.main : ".");
    const stackConfigDir = path.resolve(dir, typeof doc.stackConfigDir === "string" ? doc.stackConfigDir : ".");
    return { dir: path.resolve(dir), name: doc.name, main, moduleKind: moduleKindOf(main), stackConfigDir };
}

/**
 * Refuses a stack name Pulumi would refuse, before it becomes part of a file path, and returns
 * the stack's own name: `acme/prod` and `acme/gcp-databricks-migration/prod` are stack `prod`.
 */
export function checkStackName(stack: string, project?: ProjectInfo): string {
    const parsed = parseStackName(stack);
    if (!parsed.ok) throw new ProjectError(parsed.message);
    if (project && parsed.project !== undefined && parsed.project !== project.name) {
        throw new ProjectError(`stack ${JSON.stringify(stack)} names project "${parsed.project}"; this project (${path.join(project.dir, "Pulumi.yaml")}) is "${project.name}"`);
    }
    return parsed.name;
}

/** The file holding a stack's config: Pulumi.<name>.yaml, of the last part of a qualified name. */
export function stackFileOf(project: ProjectInfo, stack: string): string {
    return path.join(project.stackConfigDir, `Pulumi.${checkStackName(stack, project)}.yaml`);
}

/** Stack names that have a `Pulumi.<stack>.yaml` beside the project file. */
export function listStacks(project: ProjectInfo): string[] {
    if (!fs.existsSync(project.stackConfigDir)) return [];
    return fs
        .readdirSync(project.stackConfigDir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

function qualify(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

function toConfigString(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** A `secure:` value as the stack file holds it: an object with only a `secure` string. */
function isSecure(value: unknown): boolean {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
    const keys = Object.keys(value);
    return keys.length === 1 && keys[0] === "secure" && typeof (value as { secure: unknown }).secure === "string";
}

/** The value with every `secure:` leaf replaced by the placeholder, and whether there was one. */
function maskSecure(value: unknown): { value: unknown; secret: boolean } {
    if (isSecure(value)) return { value: secretPlaceholder, secret: true };
    if (Array.isArray(value)) {
        const items = value.map(maskSecure);
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value).map(([k, v]) => [k, maskSecure(v)] as const);
        return { value: Object.fromEntries(entries.map(([k, m]) => [k, m.value])), secret: entries.some(([, m]) => m.secret) };
    }
    return { value, secret: false };
}

export function readStackConfig(project: ProjectInfo, stack: string): StackConfig {
    const file = stackFileOf(project, stack);
    if (!fs.existsSync(file)) {
        const known = listStacks(project);
        throw new ProjectError(
            `unknown stack "${stack}": no ${path.basename(file)} in ${project.stackConfigDir} (stacks: ${known.join(", ") || "none"})`,
        );
    }
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];

    // Project-level defaults first (`config:` in Pulumi.yaml), then the stack's own values.
    const projectDoc = readYaml(path.join(project.dir, "Pulumi.yaml")) as { config?: Record<string, unknown> } | null;
    for (const [key, spec] of Object.entries(projectDoc?.config ?? {})) {
        const value =
            spec !== null && typeof spec === "object" && !Array.isArray(spec)
                ? ((spec as Record<string, unknown>).value ?? (spec as Record<string, unknown>).default)
                : spec;
        if (value !== undefined) values[qualify(project.name, key)] = toConfigString(value);
    }

    const stackDoc = readYaml(file) as { config?: Record<string, unknown> } | null;
    for (const [key, raw] of Object.entries(stackDoc?.config ?? {})) {
        const fullKey = qualify(project.name, key);
        // As the CLI does: a key holding a secure value anywhere inside it is a secret as a whole.
        const { value, secret } = maskSecure(raw);
        values[fullKey] = toConfigString(value);
        if (secret) secretKeys.push(fullKey);
    }
    return { values, secretKeys };
}
