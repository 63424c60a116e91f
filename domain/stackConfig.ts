/**
 * Validates a stack's `migration:*` config, all of it against the schema, into one typed
 * object; a failure lists every bad key at once: the key, the value found and what is
 * accepted. Pure (no Pulumi runtime): the program (stacks/config.ts), the engine, the cost
 * model and the tests read a stack file through it.
 */
import { z } from "zod";
import { configKeys, configSchema, fieldMeta, ParsedConfig, schemaAt, unwrap } from "./configSchema";
import { allRegionsQuotaProblems, databricksConfigProblems } from "./databricksConfig";
import { hybridConfigProblems } from "./hybridConfig";

export const namespace = "migration";

export interface ConfigProblem {
    key: string;
    value: string;
    accepted: string;
}

export class ConfigError extends Error {
    constructor(
        readonly stack: string,
        readonly problems: ConfigProblem[],
    ) {
        super(formatProblems(stack, problems));
        this.name = "ConfigError";
    }
}

function formatProblems(stack: string, problems: ConfigProblem[]): string {
    const lines = problems.map((p) => `  - ${p.key} = ${p.value}: expected ${p.accepted}`);
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    return `Invalid config for stack "${stack}" (${count}):\n${lines.join("\n")}`;
}

/** The validated configuration, plus what the stack itself contributes. */
export type StackConfig = Omit<ParsedConfig, "gcpCredentials" | "environment"> & {
    stack: string;
    /** The `env` label: the configured environment, or the stack name. */
    environment: string;
    /** Service-account key for the GCP provider (a secret); absent means application-default credentials. */
    gcpCredentials?: string;
};

export interface RawStackConfig {
    /** Values as Pulumi passes them to a program: fully qualified keys, string values. */
    values: Record<string, string>;
    /** Fully qualified keys that were configured as secrets. */
    secretKeys: ReadonlySet<string>;
    stack: string;
    /**
     * The project's name (Pulumi.yaml `name`): `pulumi config set phase 2` writes the key in
     * this namespace, which the program never reads; such keys are refused.
     */
    project?: string;
}

const stringTyped = new Set(["string", "enum"]);

/** Pulumi hands structured and numeric config to programs as JSON text; decode by the schema's type. */
function decode(key: string, text: string): unknown {
    const inner = unwrap(schemaAt([key]));
    const kind = (inner as unknown as { def?: { type?: string } } | undefined)?.def?.type;
    if (kind && stringTyped.has(kind)) return text;
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

function show(value: unknown, secret: boolean): string {
    if (secret) return "[secret]";
    if (value === undefined) return "(not set)";
    return JSON.stringify(value);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
    let current = root;
    for (const key of path) {
        if (current === null || typeof current !== "object") return undefined;
        current = (current as Record<PropertyKey, unknown>)[key];
    }
    return current;
}

function keyName(path: readonly PropertyKey[]): string {
    const [head, ...rest] = path;
    let name = `${namespace}:${String(head)}`;
    for (const part of rest) name += typeof part === "number" ? `[${part}]` : `.${String(part)}`;
    return name;
}

/**
 * Validates raw stack config. Pure: no Pulumi runtime needed, so the engine and the tests
 * can check a stack file without running the program.
 */
export function parseStackConfig(raw: RawStackConfig): StackConfig {
    const problems: ConfigProblem[] = [];
    const decoded: Record<string, unknown> = {};
    const prefix = `${namespace}:`;
    const known = new Set<string>(configKeys);

    for (const [fullKey, text] of Object.entries(raw.values)) {
        if (raw.project && raw.project !== namespace && fullKey.startsWith(`${raw.project}:`)) {
            problems.push(projectNamespaceProblem(fullKey, text, raw));
            continue;
        }
        if (!fullKey.startsWith(prefix)) continue;
        const key = fullKey.slice(prefix.length);
        if (!known.has(key)) {
            problems.push({
                key: fullKey,
                value: show(text, raw.secretKeys.has(fullKey)),
                accepted: `no such key; known keys are ${configKeys.map((k) => prefix + k).join(", ")}`,
            });
            continue;
        }
        decoded[key] = decode(key, text);
    }

    for (const key of configKeys) {
        const fullKey = prefix + key;
        const meta = fieldMeta(schemaAt([key])!);
        if (meta?.secret && decoded[key] !== undefined && !raw.secretKeys.has(fullKey)) {
            problems.push({
                key: fullKey,
                value: "[plaintext]",
                accepted: `${meta.accepted} (pulumi config set --secret ${fullKey})`,
            });
        }
    }

    const result = configSchema.safeParse(decoded);
    if (!result.success) {
        for (const issue of result.error.issues) {
            problems.push(describeIssue(issue, decoded, raw.secretKeys));
        }
    }
    if (problems.length > 0 || !result.success) {
        throw new ConfigError(raw.stack, problems);
    }

    const parsed = result.data;
    const crossProblems = crossFieldProblems(parsed);
    if (crossProblems.length > 0) throw new ConfigError(raw.stack, crossProblems);

    return { ...parsed, stack: raw.stack, environment: parsed.environment ?? labelSafe(raw.stack) };
}

type ConfigKey = (typeof configKeys)[number];

/**
 * Only `keys` of a stack's config, validated exactly as the full parse validates them, the other
 * keys left unread: for a reader that needs a few keys of a stack file written for another
 * version of the schema (the cost model prices a base commit whose stack file lacks a key the
 * working tree requires, or has one it removed).
 */
export function parseStackConfigKeys<K extends ConfigKey>(raw: RawStackConfig, keys: readonly K[]): Pick<ParsedConfig, K> {
    const decoded: Record<string, unknown> = {};
    for (const key of keys) {
        const text = raw.values[`${namespace}:${key}`];
        if (text !== undefined) decoded[key] = decode(key, text);
    }
    const picked = z.object(Object.fromEntries(keys.map((key) => [key, configSchema.shape[key]])));
    const result = picked.safeParse(decoded);
    if (!result.success) throw new ConfigError(raw.stack, result.error.issues.map((issue) => describeIssue(issue, decoded, raw.secretKeys)));
    return result.data as unknown as Pick<ParsedConfig, K>;
}

/**
 * A key in the project's own namespace (`gcp-databricks-migration:phase`, what `pulumi config
 * set phase 2` writes): the program reads `migration:*` only, so it would be silently ignored.
 */
function projectNamespaceProblem(fullKey: string, text: string, raw: RawStackConfig): ConfigProblem {
    const key = fullKey.slice(raw.project!.length + 1);
    const head = key.split(/[.[]/)[0];
    const meant = (configKeys as readonly string[]).includes(head) ? `${namespace}:${key}` : undefined;
    return {
        key: fullKey,
        value: show(text, raw.secretKeys.has(fullKey)),
        accepted:
            `a key in the ${namespace}: namespace, which this program reads (the project's own namespace "${raw.project}:" is not read)` +
            (meant ? `; set ${meant} instead (pulumi config set ${meant} …) and remove ${fullKey}` : `; known keys are ${configKeys.map((k) => namespace + ":" + k).join(", ")}`),
    };
}

function labelSafe(stack: string): string {
    return stack.toLowerCase().replace(/[^a-z0-9_-]/g, "-").slice(0, 63);
}

function describeIssue(issue: z.core.$ZodIssue, decoded: unknown, secretKeys: ReadonlySet<string>): ConfigProblem {
    const secret = issue.path.length > 0 && secretKeys.has(`${namespace}:${String(issue.path[0])}`);
    if (issue.code === "unrecognized_keys") {
        const parentSchema = schemaAt(issue.path);
        const shape = (unwrap(parentSchema) as unknown as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
        return {
            key: keyName([...issue.path, issue.keys[0]]),
            value: show(valueAt(decoded, [...issue.path, issue.keys[0]]), secret),
            accepted: `no such key; known keys are ${Object.keys(shape).join(", ")}`,
        };
    }
    const value = valueAt(decoded, issue.path);
    const leaf = schemaAt(issue.path);
    const accepted = (leaf && fieldMeta(leaf)?.accepted) ?? issue.message;
    return { key: keyName(issue.path), value: show(value, secret), accepted };
}

/** Rules that span keys: bounds that must agree and zones that must sit in the region. */
function crossFieldProblems(config: ParsedConfig): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const pool of ["h100", "c4a"] as const) {
        const { minNodes, maxNodes } = config[pool];
        if (minNodes > maxNodes) {
            problems.push({
                key: `${namespace}:${pool}.minNodes`,
                value: String(minNodes),
                accepted: `an integer no greater than ${namespace}:${pool}.maxNodes (${maxNodes})`,
            });
        }
    }
    config.gpuZones.forEach((zone, i) => {
        if (!zone.startsWith(`${config.region}-`)) {
            problems.push({
                key: `${namespace}:gpuZones[${i}]`,
                value: JSON.stringify(zone),
                accepted: `a zone of ${namespace}:region (${config.region}), such as ${config.region}-a`,
            });
        }
    });
    problems.push(...databricksConfigProblems(config));
    problems.push(...allRegionsQuotaProblems(config));
    problems.push(...hybridConfigProblems(config));
    return problems;
}
