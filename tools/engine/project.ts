/**
 * Reads a Pulumi project directory the way the CLI does: `Pulumi.yaml` (name, main, config
 * defaults) and `Pulumi.<stack>.yaml` (the stack's config). Values reach the program as
 * strings (structured values as JSON); `secure:` values cannot be decrypted offline and
 * become a placeholder, marked secret.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { secretPlaceholder } from "./graph";

export interface ProjectInfo {
    dir: string;
    name: string;
    /** The program's entry file or directory, resolved against `dir`. */
    main: string;
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

export function readProject(dir: string): ProjectInfo {
    const file = path.join(dir, "Pulumi.yaml");
    if (!fs.existsSync(file)) throw new ProjectError(`no Pulumi.yaml in ${path.resolve(dir)}: not a Pulumi project directory`);
    const doc = readYaml(file) as { name?: unknown; main?: unknown } | null;
    if (!doc || typeof doc.name !== "string" || doc.name === "") {
        throw new ProjectError(`${file}: "name" must be a non-empty string`);
    }
    const main = typeof doc.main === "string" ? doc.main : ".";
    return { dir: path.resolve(dir), name: doc.name, main: path.resolve(dir, main) };
}

/** Stack names that have a `Pulumi.<stack>.yaml` beside the project file. */
export function listStacks(project: ProjectInfo): string[] {
    return fs
        .readdirSync(project.dir)
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

export function readStackConfig(project: ProjectInfo, stack: string): StackConfig {
    const file = path.join(project.dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        const known = listStacks(project);
        throw new ProjectError(
            `unknown stack "${stack}": no ${path.basename(file)} in ${project.dir} (stacks: ${known.join(", ") || "none"})`,
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
    for (const [key, value] of Object.entries(stackDoc?.config ?? {})) {
        const fullKey = qualify(project.name, key);
        if (value !== null && typeof value === "object" && !Array.isArray(value) && "secure" in value) {
            values[fullKey] = secretPlaceholder;
            secretKeys.push(fullKey);
        } else {
            values[fullKey] = toConfigString(value);
        }
    }
    return { values, secretKeys };
}
